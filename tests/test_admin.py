"""The admin pages as a förbund administrator and a system administrator use them, through
the HTTP interface on both databases: a whole round from creation to publication, the
links, the live response rate (with the k rule on role and agency counts), and every bad
input refused with a clear message and nothing stored."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from builders import add_response, all_items, answer_all, csrf_token, invite, make_round
from conftest import signed_in
from sqlalchemy import func, select

from survey.db import audit, models
from survey.rounds.rate import GroupCount, safe_counts
from survey.services import round_actions as rounds

TODAY = dt.date.today()
ROUND = "/admin/f/norrsund/rounds/2026"


@pytest.fixture
def norrsund(app, db):
    rounds.add_association(db, "norrsund", "Norrsunds samordningsförbund", actor="test")
    rounds.add_association(db, "sydkust", "Sydkustens samordningsförbund", actor="test")
    return app


@pytest.fixture
def admin(norrsund, client):
    return signed_in(norrsund, client, "forbund_admin", "norrsund", email="anna@norrsund.se")


def post(client, path: str, form: dict | None = None, page: str | None = None, **kw):
    """A form post with the CSRF token of the page it is sent from."""
    token = csrf_token(client.get(page or path.rsplit("/", 1)[0]).text)
    return client.post(path, data={"csrf_token": token, **(form or {})}, **kw)


def text(response) -> str:
    """The page's words, without tags, on one line (Swedish: the default UI language)."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def stored(db) -> dict[str, list]:
    """What the admin pages can change, read fresh, to prove a refusal changed nothing."""
    db.expire_all()
    return {
        "associations": db.execute(
            select(
                models.Association.slug,
                models.Association.name,
                models.Association.members,
                models.Association.named_to_others,
                models.Association.privacy_contact,
            ).order_by(models.Association.slug)
        ).all(),
        "rounds": db.execute(
            select(
                models.Round.label,
                models.Round.state,
                models.Round.opens_on,
                models.Round.closes_on,
            ).order_by(models.Round.id)
        ).all(),
        "invitations": db.execute(
            select(models.Invitation.id, models.Invitation.kind).order_by(models.Invitation.id)
        ).all(),
        "questionnaires": db.execute(
            select(models.Questionnaire.key, models.Questionnaire.version)
        ).all(),
        "users": db.execute(select(models.User.email).order_by(models.User.email)).all(),
        "roles": db.execute(
            select(models.Membership.user_id, models.Membership.role).order_by(models.Membership.id)
        ).all(),
        "audit": db.scalar(select(func.count()).select_from(models.AuditEvent)),
    }


def links_in(csv_response) -> list[str]:
    assert csv_response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"))))
    assert rows[0] == ["nr", "link"]
    return [row[1] for row in rows[1:]]


def test_a_forbund_administrator_runs_a_whole_round(admin, norrsund, db):
    page = admin.get("/admin/f/norrsund")
    assert page.status_code == 200 and "Inga mätomgångar än" in text(page)

    created = post(
        admin,
        "/admin/f/norrsund/rounds/new",
        {
            "label": "2026",
            "questionnaire": "integrerad-samverkan:1",
            "opens": (TODAY - dt.timedelta(days=1)).isoformat(),
            "closes": (TODAY + dt.timedelta(days=30)).isoformat(),
        },
        page="/admin/f/norrsund/rounds/new",
    )
    assert created.status_code == 303 and created.headers["Location"].endswith(ROUND)
    page = text(admin.get(ROUND))
    assert "Mätomgång 2026 har skapats som utkast" in page
    assert f"Läge utkast Öppnar {TODAY - dt.timedelta(days=1)}" in page

    # Four personal links, answered as the CSV itself; no page ever shows them.
    download = post(admin, f"{ROUND}/links.csv", {"count": "4"}, page=ROUND)
    assert download.headers["Content-Disposition"].startswith("attachment;")
    links = links_in(download)
    assert len(links) == 4 and all(link.startswith("https://samverkan.test/r/") for link in links)
    assert links[0].rsplit("/", 1)[1] not in admin.get(ROUND).text
    assert "Inbjudna (personliga länkar) 4" in text(admin.get(ROUND))

    opened = post(admin, f"{ROUND}/open", page=ROUND)
    assert opened.status_code == 303
    assert "Mätomgång 2026 är öppen" in text(admin.get(ROUND))

    # Respondents answer through their links; the rate moves with each.
    tokens = [link.rsplit("/", 1)[1] for link in links]
    for number, token in enumerate(tokens[:3], 1):
        answer_all(norrsund.test_client(), token, role="handlaggare", agency="kommun")
        page = text(admin.get(ROUND))
        assert f"Inskickade {number} " in page
    answer_all(norrsund.test_client(), tokens[3], submit=False)
    page = text(admin.get(ROUND))
    assert "Svarar just nu (inte inskickat) 1" in page and "Svarsfrekvens 75 %" in page
    assert f"{TODAY} 3" in page  # submitted per day, beside the chart
    live = admin.get(f"{ROUND}/rate.json").json  # what static/admin.js keeps the table at
    assert live == {"invited": 4, "started": 1, "submitted": 3, "rate": 75, "state": "open"}
    assert 'id="rate-chart"' in admin.get(ROUND).text
    # Three alike are fewer than k = 5: no counts by role or agency.
    assert "Inskickade per roll Visas inte" in page

    # The board page has nothing before publication.
    board = signed_in(norrsund, norrsund.test_client(), "board", "norrsund", "styrelse@n.se")
    assert "inte publicerad" in text(board.get("/f/norrsund?round=2026"))

    # One click does not close: the post without confirmation leads to the page that asks.
    unconfirmed = post(admin, f"{ROUND}/close", page=ROUND)
    assert unconfirmed.status_code == 303 and unconfirmed.location.endswith(f"{ROUND}/close")
    assert "Läge öppen" in text(admin.get(ROUND))
    asks = text(admin.get(f"{ROUND}/close"))
    assert "Stänga mätomgång 2026?" in asks
    assert "3 av 4 inbjudna har skickat in sina svar; 1 har börjat" in asks
    assert "E-postadresserna som lagts till för inbjudningar tas bort" in asks
    assert post(admin, f"{ROUND}/close", {"confirmed": "1"}, page=ROUND).status_code == 303
    assert "Läge stängd" in text(admin.get(ROUND))
    asks = text(admin.get(f"{ROUND}/publish"))
    assert "en publicerad mätomgång kan aldrig öppnas igen" in asks
    assert "De ofullständiga svaren (1) tas bort för gott" in asks
    assert post(admin, f"{ROUND}/publish", page=ROUND).status_code == 303  # asks again
    assert "Läge stängd" in text(admin.get(ROUND))
    assert post(admin, f"{ROUND}/publish", {"confirmed": "1"}, page=ROUND).status_code == 303
    page = text(admin.get(ROUND))
    assert "Läge publicerad" in page and "Resultaten på styrelsesidorna" in page
    dashboard = board.get("/f/norrsund?round=2026")
    assert dashboard.status_code == 200 and "3 inskickade svar" in text(dashboard)
    actions = [e.action for e in audit.events(db) if e.actor == "anna@norrsund.se"]
    assert actions == [
        "round_created",
        "links_created",
        "round_opened",
        "round_closed",
        "round_published",
    ]


def test_the_forbund_page_saves_what_others_see(admin, db):
    response = post(
        admin,
        "/admin/f/norrsund",
        {
            "name": "Norrsunds samordningsförbund",
            "members": "Försäkringskassan\n\n  Arbetsförmedlingen \nNorrsunds kommun",
            "named_to_others": "1",
            "privacy_contact": "Dataskyddsombud, dso@norrsund.se",
        },
    )
    assert response.status_code == 303
    assoc = db.scalar(select(models.Association).filter_by(slug="norrsund"))
    db.refresh(assoc)
    assert assoc.members == "Försäkringskassan\nArbetsförmedlingen\nNorrsunds kommun"
    assert assoc.named_to_others and assoc.privacy_contact.startswith("Dataskyddsombud")
    assert "Sparat." in text(admin.get("/admin/f/norrsund"))


def test_links_shared_once_and_revoked(admin, norrsund, db):
    make_round(db, "norrsund", "2026")
    shared = post(admin, f"{ROUND}/links/shared", page=ROUND)
    link = re.search(r'id="shared-link">.*?<a href="([^"]+)"', shared.text, re.S).group(1)
    assert link.startswith("https://samverkan.test/r/")
    assert link not in admin.get(ROUND).text  # shown once
    again = post(admin, f"{ROUND}/links/shared", page=ROUND)
    assert again.status_code == 400 and "har redan en gemensam länk" in text(again)

    tokens = [
        url.rsplit("/", 1)[1]
        for url in links_in(post(admin, f"{ROUND}/links.csv", {"count": "3"}, page=ROUND))
    ]
    answer_all(norrsund.test_client(), tokens[0])  # used
    answer_all(norrsund.test_client(), tokens[1], submit=False)  # in progress: kept
    revoked = post(admin, f"{ROUND}/links/revoke", {"kind": "personal"}, page=ROUND)
    assert revoked.status_code == 303
    assert "Återkallade oanvända personliga länkar: 1." in text(admin.get(ROUND))
    assert norrsund.test_client().get(f"/r/{tokens[2]}").status_code == 404
    assert norrsund.test_client().get(f"/r/{tokens[1]}/summary").status_code == 200
    post(admin, f"{ROUND}/links/revoke", {"kind": "shared"}, page=ROUND)
    assert (
        norrsund.test_client().get(link.removeprefix("https://samverkan.test")).status_code == 404
    )


def test_a_draft_round_is_deleted_and_no_other(admin, db):
    make_round(db, "norrsund", "2026", state="draft")
    make_round(db, "norrsund", "2025", state="open")
    assert post(admin, f"{ROUND}/delete", page=ROUND).status_code == 303
    assert db.scalar(select(models.Round).filter_by(label="2026")) is not None  # asked first
    assert "Det går inte att ångra" in text(admin.get(f"{ROUND}/delete"))
    assert post(admin, f"{ROUND}/delete", {"confirmed": "1"}, page=ROUND).status_code == 303
    db.expire_all()
    assert db.scalar(select(models.Round).filter_by(label="2026")) is None
    before = stored(db)
    refused = post(
        admin,
        "/admin/f/norrsund/rounds/2025/delete",
        {"confirmed": "1"},
        page="/admin/f/norrsund/rounds/2025",
    )
    assert refused.status_code == 400
    assert "mätomgång 2025 är öppen: bara ett utkast, som aldrig har öppnats, kan tas bort" in text(
        refused
    )
    assert stored(db) == before


def test_another_forbunds_administrator_gets_403(norrsund, db):
    make_round(db, "norrsund", "2026")
    other = signed_in(norrsund, norrsund.test_client(), "forbund_admin", "sydkust", "s@sydkust.se")
    before = stored(db)
    for path in ("/admin/f/norrsund", ROUND, "/admin/f/norrsund/rounds/new", "/admin/users"):
        assert other.get(path).status_code == 403, path
    token = csrf_token(other.get("/admin/f/sydkust").text)
    for path in (f"{ROUND}/close", f"{ROUND}/links.csv", "/admin/f/norrsund"):
        assert other.post(path, data={"csrf_token": token, "count": "5"}).status_code == 403
    assert stored(db) == before


#: (page the form is on, where it posts, the form, what the page says): each refused with
#: status 400 and nothing stored.
BAD_ROUND_INPUT = [
    (
        "/admin/f/norrsund/rounds/new",
        {"label": "2027", "opens": "2026-13-01"},
        "Öppnar: ”2026-13-01” är inte ett datum",
    ),
    (
        "/admin/f/norrsund/rounds/new",
        {"label": "2027", "opens": "2026-03-31", "closes": "2026-03-01"},
        "mätomgången stänger (2026-03-01) innan den öppnar (2026-03-31)",
    ),
    (
        "/admin/f/norrsund/rounds/new",
        {"label": "2026"},
        "Norrsunds samordningsförbund har redan en mätomgång ”2026”",
    ),
    ("/admin/f/norrsund/rounds/new", {"label": "två år"}, "”två år” går inte att använda som namn"),
    ("/admin/f/norrsund/rounds/new", {"label": ""}, "Ge mätomgången ett namn"),
    (
        "/admin/f/norrsund/rounds/new",
        {"label": "2027", "questionnaire": "finns-inte:1"},
        "finns-inte:1",
    ),
    (
        f"{ROUND}/publish",
        {"confirmed": "1"},
        "mätomgång 2026 är öppen: stäng den innan den publiceras",
    ),
    (f"{ROUND}/open", {}, "mätomgång 2026 är redan öppen"),
    (f"{ROUND}/open", {"closes": "31/3"}, "Ny sista dag: ”31/3” är inte ett datum"),
    (f"{ROUND}/links.csv", {"count": "0"}, "ange ett heltal från 1 till 5000 (”0” skickades)"),
    (f"{ROUND}/links.csv", {"count": "abc"}, "(”abc” skickades)"),
    (f"{ROUND}/links.csv", {"count": "5001"}, "(”5001” skickades)"),
    (f"{ROUND}/links/revoke", {"kind": "all"}, "Välj vilka länkar som ska återkallas"),
    ("/admin/f/norrsund", {"name": " "}, "förbundet behöver ett namn"),
    ("/admin/f/norrsund", {"name": "N", "members": "x" * 2001}, "listan över huvudmän är för lång"),
]


def test_bad_round_and_forbund_input_is_refused_and_changes_nothing(admin, db):
    make_round(db, "norrsund", "2026")
    for path, form, message in BAD_ROUND_INPUT:
        page = path if path.endswith(("/new", "/norrsund")) else ROUND
        form = (
            {"questionnaire": "integrerad-samverkan:1", **form} if path.endswith("/new") else form
        )
        before = stored(db)
        response = post(admin, path, form, page=page)
        assert response.status_code == 400, (path, form, response.status_code)
        assert message in text(response), (path, form, text(response)[:2000])
        assert "Kontrollera följande" in text(response)
        assert stored(db) == before, (path, form)
    closed = make_round(db, "norrsund", "2020", state="closed", closes_on=TODAY)
    response = post(admin, "/admin/f/norrsund/rounds/2020/links.csv", {"count": "3"}, page=ROUND)
    assert response.status_code == 400 and "nya länkar skulle inte leda någonstans" in text(
        response
    )
    response = post(admin, "/admin/f/norrsund/rounds/2020/close", {"confirmed": "1"}, page=ROUND)
    assert "mätomgång 2020 är stängd, inte öppen" in text(response)
    assert closed.state == "closed"


def test_counts_by_role_are_shown_only_when_no_group_can_be_worked_out(admin, db):
    rnd = make_round(db, "norrsund", "2026")
    for role in ["handlaggare"] * 5 + ["chef"] * 5 + ["styrelse"]:
        add_response(db, rnd, all_items(db, rnd, lambda _item: 4), role=role, agency="kommun")
    page = text(admin.get(ROUND))
    # One board member: hiding only that group would leave it as 11 − 5 − 5, so a second
    # group is hidden too.
    assert "Styrelseledamot dold (färre än 5" in page
    assert page.count("dold (färre än 5") == 2
    assert "Inskickade per huvudman Kommun 11" in page
    add_response(db, rnd, all_items(db, rnd, lambda _item: 4), role="chef", agency="fk")
    page = text(admin.get(ROUND))
    assert "Inskickade per huvudman Visas inte" in page  # 11 + 1: nothing shown


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ({"a": 5, "b": 7}, {"a": 5, "b": 7}),
        ({"a": 5, "b": 7, "c": 1}, {"a": None, "b": 7, "c": None}),
        ({"a": 9, "b": 2, "c": 2}, None),
        ({"a": 9, "b": 3, "c": 3}, {"a": 9, "b": None, "c": None}),
        ({"a": 4}, None),
        ({}, None),
    ],
)
def test_safe_counts_never_leave_one_group_to_subtraction(counts, shown):
    result = safe_counts(counts, sum(counts.values()), 5)
    if shown is None:
        assert result is None
    else:
        assert result == [GroupCount(code, n) for code, n in sorted(shown.items())]
        hidden = [counts[g.code] for g in result if g.n is None]
        assert len(hidden) != 1 and (not hidden or sum(hidden) >= 5)


def test_front_page_says_what_each_user_may_do(norrsund, db):
    anonymous = text(norrsund.test_client().get("/"))
    assert "Vem den är till för" in anonymous and "Logga in" in anonymous
    admin = signed_in(norrsund, norrsund.test_client(), "forbund_admin", "norrsund", "a@n.se")
    page = admin.get("/").text
    assert 'href="/admin/f/norrsund"' in page and 'href="/f/norrsund"' in page
    assert "sydkust" not in page and 'href="/admin/users"' not in page
    board = signed_in(norrsund, norrsund.test_client(), "board", "norrsund", "b@n.se")
    page = board.get("/").text
    assert 'href="/f/norrsund"' in page and "/admin/" not in page
    system = signed_in(norrsund, norrsund.test_client())
    page = system.get("/").text
    assert 'href="/admin/users"' in page and 'href="/admin/f/sydkust"' in page


def test_the_round_page_names_the_questionnaire_and_says_nothing_is_asked_yet(admin, db):
    make_round(db, "norrsund", "2026", state="draft", version=2)
    page = text(admin.get(ROUND))
    assert "Enkät Integrerad samverkan (version 2)" in page
    assert "integrerad-samverkan:2" not in page
    assert "ingen har tillfrågats än" in page and "Visas inte" not in page
    assert "integrerad-samverkan:2" not in text(admin.get("/admin/f/norrsund"))


def test_the_per_day_chart_has_one_tick_a_day_at_most(admin, norrsund, db):
    rnd = make_round(db, "norrsund", "2026")
    answer_all(norrsund.test_client(), invite(db, rnd)[0])
    html = admin.get(ROUND).text
    # Plotly's own ticks fell every 12 hours on a short round, each printing the same date.
    assert '"dtick":86400000' in html.replace(" ", "")


def test_the_mail_texts_page_leads_back(admin, db):
    make_round(db, "norrsund", "2026")
    mail_page = admin.get("/admin/f/norrsund/rounds/2026/mail").text
    texts_url = re.search(r'href="([^"]*mail-texts[^"]*)"', mail_page).group(1)
    page = admin.get(texts_url.replace("&amp;", "&")).text
    assert 'href="/admin/f/norrsund/rounds/2026/mail"' in page
    assert 'href="/admin/f/norrsund"' in page
    assert "{minutes}" in page


def test_send_now_without_a_mail_server_says_what_is_missing(admin, db):
    make_round(db, "norrsund", "2026")
    mail = f"{ROUND}/mail"
    refused = post(admin, f"{mail}/send", page=mail)
    assert refused.status_code == 409
    assert "Ingenting skickades: MAIL_HOST är inte inställd på servern" in text(refused)
