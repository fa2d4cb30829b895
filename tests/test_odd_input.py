"""Odd input through HTTP, on SQLite and PostgreSQL: a NUL or another character no name can
hold, a version that is not ASCII digits, too many or too large form fields, an upload, and
a fault in the code. Each gets the app's page with a clear status and message (never a
500 with a traceback), and nothing is written."""

from __future__ import annotations

import html
import io
import re

import pytest
from builders import add_response, begin, invite, make_round, stored_state
from sqlalchemy import func, select

from survey.db import models
from survey.web.access import ANYONE, RULES
from survey.web.shell import db as request_db


@pytest.fixture
def client(admin_client):
    """Board pages and downloads need a signed-in user: a system administrator's browser
    (who may use which route: tests/test_access.py)."""
    return admin_client


@pytest.fixture
def rounds(db):
    """norrsund and gota with a published round 2026 of five responses each."""
    for slug in ("norrsund", "gota"):
        rnd = make_round(db, slug=slug, label="2026", state="published")
        for v in range(1, 6):
            add_response(db, rnd, {"STYR1": v, "STYR2": v}, comments={"STYR": "Bra"})
    db.commit()


@pytest.fixture
def on_page_two(client, db, rounds):
    """A respondent of norrsund 2027 (open) past the background questions, and their CSRF
    token."""
    token = invite(db, make_round(db, slug="norrsund", label="2027"))[0]
    return token, begin(client, token)


def everything(db) -> dict[str, object]:
    """Every row a request could write: to prove that a refused one wrote nothing."""
    counts = {
        table.__name__: db.scalar(select(func.count()).select_from(table))
        for table in (models.Association, models.Round, models.Questionnaire)
    }
    return {**counts, **stored_state(db)}


def seen(resp) -> str:
    """The words of the page's main part, as a reader sees them."""
    main = re.search(r"<main.*?</main>", resp.text, re.S)
    assert main, resp.text[:300]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main.group(0))).split())


def refused(client, db, url: str, status: int, says: str, **post) -> str:
    """Request `url` (a post when `post` is given); the status, the message and that the
    database is unchanged. Returns what the page says."""
    before = everything(db)
    resp = client.post(url, **post) if post else client.get(url)
    assert resp.status_code == status, (url, resp.status_code, resp.text[:500])
    page = seen(resp)
    assert says in page, (url, page)
    assert "Traceback" not in resp.text
    assert everything(db) == before
    return page


@pytest.mark.parametrize(
    "url",
    [
        "/f/x%00",
        "/f/x%00/items",
        "/f/x%00/report",
        "/f/x%00/data.json",
        "/compare?round=2026&f=x%00",
        "/export/x%00/2026.xlsx",
        "/export/research.xlsx?forbund=x%00",
        "/export/research.csv?forbund=x%00",
        "/export/board.xlsx?forbund=x%00",
    ],
)
def test_nul_in_a_forbund_slug_is_not_found(client, db, rounds, url):
    refused(client, db, url, 404, "Det finns inget samordningsförbund ”x�”.")


OF_NORRSUND = "Norrsund samordningsförbund har ingen mätomgång ”2026�”."
ANY_ROUND = "Det finns ingen mätomgång ”2026�”."


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/f/norrsund?round=2026%00", OF_NORRSUND),
        ("/f/norrsund/items?round=2026%00", OF_NORRSUND),
        ("/f/norrsund/report?round=2026%00", OF_NORRSUND),
        ("/f/norrsund/data.json?round=2026%00", OF_NORRSUND),
        ("/export/norrsund/2026%00.xlsx", OF_NORRSUND),
        ("/compare?round=2026%00", ANY_ROUND),
        ("/export/research.xlsx?round=2026%00", ANY_ROUND),
        ("/export/research.csv?round=2026%00", ANY_ROUND),
        ("/export/board.xlsx?round=2026%00", ANY_ROUND),
    ],
)
def test_nul_in_a_round_label_is_not_found(client, db, rounds, url, says):
    refused(client, db, url, 404, says)


def test_nul_in_a_peer_is_not_found(client, db, rounds):
    url = "/compare?round=2026&f=norrsund&peer=gota%00"
    refused(client, db, url, 404, "Det finns inget samordningsförbund ”gota�”.")


def test_nul_in_a_dimension_is_not_found(client, db, rounds):
    url = "/f/norrsund/items?dimension=STYR%00"
    refused(client, db, url, 404, "Det finns ingen dimension ”STYR�” i den här enkäten.")


@pytest.mark.parametrize("kind", ["research.xlsx", "research.csv", "board.xlsx"])
def test_nul_in_a_questionnaire_key_matches_no_round(client, db, rounds, kind):
    url = f"/export/{kind}?questionnaire=integrerad-samverkan%00"
    says = "Ingen publicerad mätomgång matchar de valda omgångarna, förbunden och versionen."
    refused(client, db, url, 400, says)


@pytest.mark.parametrize(
    ("version", "shown"),
    [("%C2%B2", "²"), ("1%00", "1�"), ("１", "１"), ("99999999999999999999", "9999")],
)
@pytest.mark.parametrize("kind", ["research.xlsx", "research.csv", "board.xlsx"])
def test_a_version_that_is_not_ascii_digits_is_refused(client, db, rounds, kind, version, shown):
    url = f"/export/{kind}?version={version}"
    page = refused(client, db, url, 400, "Enkätversionen måste vara ett heltal, inte ”")
    assert shown in page


@pytest.mark.parametrize(
    "url", ["/f/x%E2%80%AEx", "/f/x%0Ax", "/f/x%7Fx", "/compare?round=2026&f=x%E2%80%8Bx"]
)
def test_control_and_format_characters_in_a_name_are_not_found(client, db, rounds, url):
    refused(client, db, url, 404, "Det finns inget samordningsförbund ”x�x”.")


def test_a_name_longer_than_any_is_cut_in_the_message(client, db, rounds):
    page = refused(client, db, "/f/" + "a" * 5000, 404, "Det finns inget samordningsförbund")
    assert "”" + "a" * 100 + "…”" in page and "a" * 101 not in page


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_sixty_thousand_form_fields_are_refused_before_reading(client, db, on_page_two, encoding):
    token, csrf = on_page_two
    data: dict[str, object] = {"csrf_token": csrf, **{f"f{i}": "1" for i in range(60_000)}}
    if encoding == "multipart":
        data["upload"] = (io.BytesIO(b"x"), "x.txt")  # makes the test client send multipart
    before = everything(db)
    resp = client.post(f"/r/{token}/p/2", data=data)
    assert resp.status_code == 413
    assert "Formuläret var för stort" in seen(resp) and "högst 1 MB och 200 fält" in seen(resp)
    assert len(resp.data) < 10_000  # no field is echoed
    assert everything(db) == before


def test_a_hundred_megabyte_upload_is_refused(client, db, on_page_two):
    token, csrf = on_page_two
    big = (io.BytesIO(bytes(100 * 2**20)), "big.bin")
    data = {"csrf_token": csrf, "item-STYR1": "4", "upload": big}
    refused(client, db, f"/r/{token}/p/2", 413, "Formuläret var för stort", data=data)


def test_a_small_upload_is_named_as_a_field_the_page_does_not_have(client, db, on_page_two):
    token, csrf = on_page_two
    data = {"csrf_token": csrf, "item-STYR1": "4", "upload": (io.BytesIO(b"x"), "x.txt")}
    says = "Formuläret innehöll ett fält som inte finns på den här sidan: upload"
    refused(client, db, f"/r/{token}/p/2", 400, says, data=data)


def test_more_fields_than_the_page_has_are_refused_whole(client, db, on_page_two):
    token, csrf = on_page_two
    # Page 2 has four statements and a comment: five fields, and three more are tolerated.
    data = {"csrf_token": csrf, "item-STYR1": "4", **{f"extra{i}": "x" for i in range(8)}}
    says = "Formuläret skickade 9 fält, fler än den här sidan har, så ingenting på den sparades."
    refused(client, db, f"/r/{token}/p/2", 400, says, data=data)


def test_more_fields_than_the_background_page_has_are_refused_whole(client, db, on_page_two):
    token, csrf = on_page_two
    data = {"csrf_token": csrf, "role": "chef", **{f"extra{i}": "x" for i in range(6)}}
    says = "Formuläret skickade 7 fält, fler än den här sidan har"
    refused(client, db, f"/r/{token}", 400, says, data=data)


def test_only_three_unknown_fields_are_named(client, db, on_page_two):
    token, csrf = on_page_two
    data = {"csrf_token": csrf, "item-STYR1": "4", **{f"extra{i}": "x" for i in range(6)}}
    page = refused(client, db, f"/r/{token}/p/2", 400, "…och 3 fält till", data=data)
    assert page.count("ett fält som inte finns på den här sidan") == 3


def test_a_wrong_method_gets_the_app_page(client, db, rounds):
    before = everything(db)
    resp = client.post("/f/norrsund", data={"x": "1"})
    assert resp.status_code == 405
    assert set(resp.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}  # any order
    assert "Begäran kunde inte hanteras" in seen(resp)
    assert everything(db) == before


def test_a_fault_gives_the_app_page_without_a_traceback(app, client, db, rounds, monkeypatch):
    def fault():
        request_db().add(models.Association(slug="halvvags", name="Halvvägs"))
        request_db().flush()
        raise RuntimeError("secret detail of the fault")

    app.add_url_rule("/fault", view_func=fault)  # this test's app only
    monkeypatch.setitem(RULES, "fault", ANYONE)  # every route needs its access rule
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not a raise
    before = everything(db)
    resp = client.get("/fault")
    assert resp.status_code == 500
    assert seen(resp).startswith("Något gick fel Ett fel hos oss stoppade den här sidan.")
    assert "secret detail" not in resp.text and "RuntimeError" not in resp.text
    assert "Traceback" not in resp.text
    assert everything(db) == before
    english = client.get("/fault?lang=en")
    assert "Something went wrong" in seen(english)
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'self'")
