"""The read-only API (/api/v1) through HTTP on both databases: tokens made on the account
page and refused when bad (JSON, nothing written), what each scope reads, figures equal to
the board pages' and as suppressed, ETags, pages of research rows, the rate limit."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import add_response, all_items, csrf_token, make_round, make_user
from conftest import fresh_app, signed_in
from sqlalchemy import func, select

from survey.accounts import api_tokens, services
from survey.db import audit, models
from survey.errors import ApiTokenRefused
from survey.results import pages


def _token(db, principal, scope="aggregates", forbund="norrsund", days=30) -> str:
    return api_tokens.issue(db, principal, "test", scope, forbund, days, audit.utcnow()).secret


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _published(db, slug, label="2026", people=6, role_of=lambda i: "handlaggare"):
    rnd = make_round(db, slug=slug, label=label, state="published")
    for person in range(people):
        add_response(
            db,
            rnd,
            all_items(db, rnd, lambda item, p=person: 1 + (p + len(item.code)) % 5),
            role=role_of(person),
        )
    return rnd


@pytest.fixture
def data(db):
    _published(db, "norrsund", "2025")
    _published(
        db, "norrsund", "2026", people=9, role_of=lambda i: "chef" if i < 3 else "handlaggare"
    )
    _published(db, "sydkust")
    make_round(db, slug="norrsund", label="2027", state="open")
    return db


def _calls(db) -> int:
    db.expire_all()
    return db.scalar(
        select(func.count())
        .select_from(models.AuditEvent)
        .where(models.AuditEvent.action == "api_call")
    )


def test_a_token_is_made_on_the_account_page_shown_once_and_revoked(app, data):
    browser = signed_in(app, app.test_client(), "board", "norrsund", email="b@test.invalid")
    page = browser.get("/account/tokens")
    assert page.status_code == 200 and "norrsund" in page.text
    made = browser.post(
        "/account/tokens",
        data={
            "csrf_token": csrf_token(page.text),
            "name": "Trend",
            "scope": "aggregates:norrsund",
            "days": "30",
        },
    )
    assert made.status_code == 201
    secret = made.text.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith("smk_")
    listed = browser.get("/account/tokens").text
    assert "Trend" in listed and secret not in listed  # shown once only
    stored = data.scalars(select(models.ApiToken)).one()
    assert stored.token_hash == api_tokens.token_hash(secret) and secret not in repr(
        stored.__dict__
    )

    api = app.test_client()  # no cookie: the token alone
    answer = api.get("/api/v1/forbund", headers=_auth(secret))
    assert answer.status_code == 200
    assert [f["slug"] for f in answer.get_json()["forbund"]] == ["norrsund"]
    assert "Set-Cookie" not in answer.headers
    data.expire_all()
    assert data.get(models.ApiToken, stored.id).last_used_at is not None

    revoke = browser.post(
        f"/account/tokens/{stored.id}/revoke", data={"csrf_token": csrf_token(listed)}
    )
    assert revoke.status_code == 303
    refused = api.get("/api/v1/forbund", headers=_auth(secret))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "revoked_token"


def test_no_token_for_a_role_one_does_not_hold(app, data):
    board = make_user(data, "b@norrsund.se", "board", "norrsund")
    for scope, forbund in (("aggregates", "sydkust"), ("research", None), ("x", None)):
        with pytest.raises(ApiTokenRefused):
            _token(data, board, scope, forbund)
    browser = signed_in(app, app.test_client(), "board", "norrsund", email="c@test.invalid")
    page = browser.get("/account/tokens")
    refused = browser.post(
        "/account/tokens",
        data={"csrf_token": csrf_token(page.text), "name": "x", "scope": "research", "days": "30"},
    )
    assert refused.status_code == 400 and "roll du har" in refused.text
    assert data.scalar(select(func.count()).select_from(models.ApiToken)) == 0


def test_bad_tokens_get_json_errors_and_write_nothing(app, data):
    board = make_user(data, "b@norrsund.se", "board", "norrsund")
    expired = api_tokens.issue(
        data, board, "old", "aggregates", "norrsund", 1, audit.utcnow() - dt.timedelta(days=2)
    ).secret
    removed = _token(data, board)
    services.remove_role(
        data, "b@norrsund.se", "board", "norrsund", actor="test", now=audit.utcnow()
    )
    before = (_calls(data), data.scalar(select(func.count()).select_from(models.AuditEvent)))
    cookie = signed_in(app, app.test_client())  # a signed-in system administrator's cookie
    cases = {
        "missing_token": (cookie, {}),
        "invalid_token": (app.test_client(), _auth("smk_not-a-token")),
        "expired_token": (app.test_client(), _auth(expired)),
        "revoked_token": (app.test_client(), _auth(removed)),
    }
    for code, (client, headers) in cases.items():
        for path in (
            "/api/v1/forbund",
            "/api/v1/forbund/norrsund/rounds/2026/aggregates",
            "/api/v1/research/rows",
        ):
            answer = client.get(path, headers=headers)
            assert answer.status_code == 401, (code, path)
            assert answer.mimetype == "application/json"
            assert answer.get_json()["error"]["code"] == code
            assert "Set-Cookie" not in answer.headers  # the API neither reads nor sets one
    assert (
        _calls(data),
        data.scalar(select(func.count()).select_from(models.AuditEvent)),
    ) == before
    basic = app.test_client().get("/api/v1/forbund", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401 and basic.get_json()["error"]["code"] == "missing_token"


def test_what_each_scope_reads(app, data):
    board = make_user(data, "b@norrsund.se", "board", "norrsund")
    researcher = make_user(data, "r@uni.se", "researcher")
    own = app.test_client()
    headers = _auth(_token(data, board))
    assert own.get("/api/v1/forbund/norrsund", headers=headers).status_code == 200
    for path in (
        "/api/v1/forbund/sydkust",
        "/api/v1/forbund/sydkust/rounds",
        "/api/v1/forbund/sydkust/rounds/2026/aggregates",
        "/api/v1/research/rows",
    ):
        answer = own.get(path, headers=headers)
        assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"
    rounds = own.get("/api/v1/forbund/norrsund/rounds", headers=headers).get_json()["rounds"]
    assert [(r["label"], r["published"]) for r in rounds] == [
        ("2025", True),
        ("2026", True),
        ("2027", False),
    ]
    open_round = own.get("/api/v1/forbund/norrsund/rounds/2027/aggregates", headers=headers)
    assert (
        open_round.status_code == 404 and open_round.get_json()["error"]["code"] == "not_published"
    )
    unknown = own.get("/api/v1/forbund/norrsund/rounds/1999/aggregates", headers=headers)
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "not_found"
    research = _auth(_token(data, researcher, "research", None))
    listed = own.get("/api/v1/forbund", headers=research).get_json()["forbund"]
    assert {f["slug"] for f in listed} == {"norrsund", "sydkust"}
    assert own.get("/api/v1/questionnaires", headers=research).status_code == 200
    assert _calls(data) == 10  # every call with a good token, refused or not


def test_the_figures_are_the_board_pages_and_never_change(app, data):
    board = make_user(data, "b@norrsund.se", "board", "norrsund")
    client = app.test_client()
    headers = _auth(_token(data, board))
    answer = client.get("/api/v1/forbund/norrsund/rounds/2026/aggregates", headers=headers)
    assert answer.status_code == 200
    body = answer.get_json()
    page = signed_in(app, app.test_client()).get("/f/norrsund/data.json?round=2026").get_json()
    assert body["respondents"] == page["respondents"] and body["previous_round"] == "2025"
    for ours, theirs in zip(body["dimensions"], page["dimensions"], strict=True):
        assert {k: v for k, v in ours.items() if k in theirs} == {
            k: v for k, v in theirs.items() if k in ours
        }
        assert ours["change"] is not None and ours["difference"] is not None
    for by in ("by_role", "by_agency"):
        for ours, theirs in zip(body[by], page[by], strict=True):
            for cell, shown in zip(ours["groups"], theirs["groups"], strict=True):
                assert {k: v for k, v in cell.items() if k in shown} == {
                    k: v for k, v in shown.items() if k in cell
                }
    # Three chefs: hidden as on the page, every figure null, n kept.
    chefs = [g for row in body["by_role"] for g in row["groups"] if g["code"] == "chef"]
    assert chefs and all(
        g["suppressed"] and g["mean"] is None and g["distribution"] is None for g in chefs
    )
    again = client.get(
        "/api/v1/forbund/norrsund/rounds/2026/aggregates",
        headers={**headers, "If-None-Match": answer.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""


def test_no_hidden_cell_of_the_disclosure_audit_data_comes_out(app, db):
    """The data of tests/test_disclosure_audit.py: every cell the pages hide, the API hides."""
    rnd = make_round(db, state="published")
    for person in range(9):
        answers = {"STRAT1": 1 + person % 5, "STRAT2": 2 + person % 4, "STRAT3": 3}
        if person < 3:
            answers["STRAT4"] = 5 - person
        add_response(db, rnd, answers, role="handlaggare" if person < 6 else "chef")
    report = pages.round_report(db, "norrsund", "2026", 5, "sv", trend=False)
    researcher = make_user(db, "r@uni.se", "researcher")
    body = (
        app.test_client()
        .get(
            "/api/v1/forbund/norrsund/rounds/2026/aggregates",
            headers=_auth(_token(db, researcher, "research", None)),
        )
        .get_json()
    )
    figures = ("mean", "sd", "median", "distribution", "dont_know_share", "answers")
    for row, shown in zip(report.overview.rows, body["dimensions"], strict=True):
        for name in (*figures, "n", "suppressed", "national_mean", "change", "level"):
            value = getattr(row, name)  # the page's: None where it hides the figure
            assert shown[name] == (list(value) if isinstance(value, tuple) else value)
    for table, by in ((report.by_role, "by_role"), (report.by_agency, "by_agency")):
        for row, shown in zip(table.rows, body[by], strict=True):
            for cell, group in zip(row.cells, shown["groups"], strict=True):
                assert group["suppressed"] == cell.suppressed
                if cell.suppressed:
                    assert all(group[name] is None for name in figures)
    assert "STRAT4" not in str(body)  # statements are not in the API at all


def test_research_rows_in_pages_with_links(app, data):
    researcher = make_user(data, "r@uni.se", "researcher")
    client = app.test_client()
    headers = _auth(_token(data, researcher, "research", None))
    first = client.get("/api/v1/research/rows?round=2026&per_page=4", headers=headers).get_json()
    assert first["total"] == 15 and len(first["rows"]) == 4 and first["links"]["prev"] is None
    rows, link = list(first["rows"]), first["links"]["next"]
    while link:
        page = client.get(link, headers=headers).get_json()
        rows += page["rows"]
        link = page["links"]["next"]
    assert len(rows) == 15 and len({r[0] for r in rows}) == 15  # every row once, ids stable
    # The pages (each chosen in SQL) together are the rows read in one go, in their order.
    whole = client.get("/api/v1/research/rows?round=2026&per_page=500", headers=headers)
    assert whole.get_json()["rows"] == rows
    again = client.get("/api/v1/research/rows?round=2026&per_page=4", headers=headers).get_json()
    assert again["rows"] == first["rows"]
    assert first["columns"][:3] == ["svar_id", "omgang", "forbund"]
    bad = client.get("/api/v1/research/rows?per_page=100000", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_request"
    mixed = client.get("/api/v1/research/rows?forbund=nowhere", headers=headers)
    assert mixed.status_code == 404 and mixed.get_json()["error"]["code"] == "not_found"


def test_research_rows_without_a_version_are_the_newest_versions(app, db):
    """Rounds of two questionnaire versions whose statements differ (as on the demo): no
    `version` reads the newest version's rows, not a 409; an older one is asked for."""
    for slug in ("norrsund", "sydkust"):
        rnd = make_round(db, slug=slug, label="2026", state="published", version=3)
        for person in range(6):
            add_response(db, rnd, all_items(db, rnd, lambda item, p=person: 1 + p % 5))
    _published(db, "norrsund", "2025")  # version 1
    researcher = make_user(db, "r@uni.se", "researcher")
    headers = _auth(_token(db, researcher, "research", None))
    client = app.test_client()
    newest = client.get("/api/v1/research/rows?per_page=500", headers=headers)
    assert newest.status_code == 200, newest.get_json()
    body = newest.get_json()
    assert body["total"] == 12 and {row[1] for row in body["rows"]} == {"2026"}
    asked = client.get("/api/v1/research/rows?per_page=500&version=3", headers=headers)
    assert {**body, "links": None} == {**asked.get_json(), "links": None}
    older = client.get("/api/v1/research/rows?version=1", headers=headers).get_json()
    assert older["total"] == 6 and {row[1] for row in older["rows"]} == {"2025"}
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/api/v1/research/rows"]["get"]["parameters"]
    (version,) = [p for p in parameters if p["name"] == "version"]
    assert "newest" in version["description"]


def test_too_many_calls_get_429_with_retry_after(tmp_path, database_url):
    app = fresh_app(database_url, tmp_path, RATE_LIMIT_API="2/minute")
    with app.extensions["survey_sessions"]() as db:
        researcher = make_user(db, "r@uni.se", "researcher")
        headers = _auth(_token(db, researcher, "research", None))
    client = app.test_client()
    answers = [client.get("/api/v1/forbund", headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].get_json()["error"]["code"] == "too_many_requests"
    assert int(answers[2].headers["Retry-After"]) > 0
    app.extensions["survey_engine"].dispose()


def test_made_up_tokens_share_their_address_count(tmp_path, database_url):
    app = fresh_app(database_url, tmp_path, RATE_LIMIT_API_ADDRESS="3/minute")
    client = app.test_client()
    answers = [
        client.get("/api/v1/forbund", headers=_auth(f"smk_guess{n}")).status_code for n in range(4)
    ]
    assert answers == [401, 401, 401, 429]
    app.extensions["survey_engine"].dispose()


def test_unknown_addresses_and_methods_under_the_api_are_json(client):
    assert client.get("/api/v1/nothing").get_json()["error"]["code"] == "not_found"
    answer = client.post("/api/v1/forbund")
    assert answer.status_code == 405 and answer.get_json()["error"]["code"] == "method_not_allowed"
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0" and "/api/v1/research/rows" in document["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "/api/v1/forbund/{slug}/rounds" in page.text
    assert "http" not in page.headers["Content-Security-Policy"]  # nothing from another site
