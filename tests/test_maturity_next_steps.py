"""A board member opens the dashboard or the printed report and reads first what to work
on next: the maturity page's sentences (largest gap, split picture, overdue actions), each
linking to its place on the maturity page; nothing before publication, nothing for a
questionnaire without the level question."""

from __future__ import annotations

import datetime as dt

import pytest
from board_html import tables
from builders import csrf_token, make_round, rate_levels
from conftest import signed_in

MATURITY = "/f/norrsund/maturity?round=2027"


@pytest.fixture
def board(app, client, db):
    """Six people in a version 3 round: STRAT split (1,1,3,3,5,5) and wanted at 5 (statements
    all 3: a gap of +2,00); an administrator adds an action due yesterday."""
    rnd = make_round(db, slug="norrsund", label="2027", state="published", version=3)
    people = [("handlaggare", {"STRAT.NOW": v, "STRAT.WANT": 5}) for v in (1, 1, 3, 3, 5, 5)]
    rate_levels(db, rnd, people)
    admin = signed_in(app, client, role="forbund_admin", forbund="norrsund", email="a@n.invalid")
    plan = "/admin/f/norrsund/rounds/2027/actions"
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    added = admin.post(
        plan,
        data={
            "csrf_token": csrf_token(admin.get(plan).text),
            "dimension": "STRAT",
            "owner": "Förbundschefen",
            "title": "Skriv en strategi",
            "due": yesterday,
        },
    )
    assert added.status_code == 303
    return signed_in(app, app.test_client(), role="board", forbund="norrsund", email="b@n.invalid")


@pytest.mark.parametrize("url", ["/f/norrsund", "/f/norrsund/report"])
def test_the_dashboard_and_the_report_open_with_what_to_work_on_next(board, url):
    page = board.get(url)
    assert page.status_code == 200
    text = page.text
    section = text[
        text.index('id="next-steps"') : text.index("</section>", text.index('id="next-steps"'))
    ]
    assert "Vad ni kan arbeta vidare med</h2>" in section
    # The same sentences as the maturity page, each linking to its place there.
    assert f'href="{MATURITY}#gaps">' in section
    assert "Strategi och långsiktighet" in section
    assert f'href="{MATURITY}#agreement">' in section
    assert f'href="{MATURITY}#actions">' in section and "Skriv en strategi" in section
    # Before the figures: it is the first thing the board reads.
    assert text.index('id="next-steps"') < text.index('id="dimension-table"')
    # The maturity page says the same (one rule, one home).
    maturity = board.get(MATURITY).text
    for kind in ("gap", "split", "overdue"):
        assert f'data-kind="{kind}"' in maturity and f'data-kind="{kind}"' in section


def test_nothing_to_work_on_says_nothing(app, client, db):
    """A version 1 round without actions, gaps or drops: no empty heading."""
    rnd = make_round(db, slug="norrsund", label="2027", state="published", version=1)
    from builders import add_response, all_items

    for _ in range(6):
        add_response(db, rnd, all_items(db, rnd, lambda item: 3))
    board = signed_in(app, client, role="board", forbund="norrsund", email="b@n.invalid")
    for url in ("/f/norrsund", "/f/norrsund/report"):
        page = board.get(url)
        assert page.status_code == 200 and 'id="next-steps"' not in page.text


def test_no_sentences_before_publication(app, client, db):
    rnd = make_round(db, slug="norrsund", label="2027", state="closed", version=3)
    rate_levels(db, rnd, [("handlaggare", {"STRAT.NOW": v, "STRAT.WANT": 5}) for v in (1, 5) * 3])
    board = signed_in(app, client, role="board", forbund="norrsund", email="b@n.invalid")
    page = board.get("/f/norrsund?round=2027")
    assert "Strategi och långsiktighet" not in page.text and 'id="next-steps"' not in page.text


def test_the_printed_report_has_the_agreed_levels_and_the_rounds_actions(app, board, db):
    """The workshop's agreed levels per dimension and the round's actions with owner, due
    date and status (the overdue one marked): plans and decisions, no individual figures."""
    admin = signed_in(app, app.test_client(), role="forbund_admin", forbund="norrsund")
    workshop = "/admin/f/norrsund/rounds/2027/workshop"
    csrf = csrf_token(admin.get(workshop).text)
    assert admin.post(f"{workshop}/open", data={"csrf_token": csrf}).status_code == 303
    data = {"csrf_token": csrf, "current": "2", "target": "4", "rationale": "Mest projekt."}
    assert admin.post(f"{workshop}/STRAT", data=data).status_code == 303

    page = board.get("/f/norrsund/report")
    found = tables(page.text)
    assert found["agreed-levels"][1:] == [["Strategi och långsiktighet", "2", "4", "Mest projekt."]]
    action = found["report-actions"][1]
    assert action[:3] == ["Strategi och långsiktighet", "Skriv en strategi", "Förbundschefen"]
    assert "försenad" in action[3] and action[4] == "planerad"
    # The dashboard is for figures; the agreed levels are the report's (and the maturity page's).
    assert 'id="agreed-levels"' not in board.get("/f/norrsund").text


def test_a_report_without_workshop_or_actions_has_no_empty_section(app, client, db):
    rnd = make_round(db, slug="norrsund", label="2027", state="published", version=3)
    rate_levels(db, rnd, [("handlaggare", {"STRAT.NOW": 3})] * 6)
    board = signed_in(app, client, role="board", forbund="norrsund", email="b@n.invalid")
    page = board.get("/f/norrsund/report")
    assert page.status_code == 200 and 'id="agreed-h"' not in page.text
