"""An administrator plans actions for chosen dimensions of a published round; the board
lists them, the next round shows each beside its dimension's change with its interval
(never claiming the action caused it), overdue actions are marked, and the actions go to
CSV and the board workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from board_html import tables
from builders import csrf_token, make_round, rate_levels
from conftest import signed_in
from openpyxl import load_workbook
from sqlalchemy import select

from survey.db import models

PLAN = "/admin/f/norrsund/rounds/2026/actions"


@pytest.fixture
def two_rounds(db):
    first = make_round(db, slug="norrsund", label="2026", state="published", version=3)
    rate_levels(db, first, [("handlaggare", {"STRAT.NOW": 2})] * 6)
    second = make_round(db, slug="norrsund", label="2027", state="published", version=3)
    rate_levels(db, second, [("handlaggare", {"STRAT.NOW": 3})] * 6)
    return first, second


def test_actions_are_planned_followed_up_next_round_and_exported(app, client, db, two_rounds):
    admin = signed_in(app, client, role="forbund_admin", forbund="norrsund", email="a@n.invalid")
    csrf = csrf_token(admin.get(PLAN).text)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    base = {"csrf_token": csrf, "dimension": "STRAT", "owner": "Förbundschefen"}
    added = admin.post(PLAN, data={**base, "title": "Skriv en strategi", "due": yesterday})
    assert added.status_code == 303
    admin.post(PLAN, data={**base, "title": '=HYPERLINK("x")', "due": "2099-01-01"})
    # Bad input: a clear message, nothing stored.
    bad = admin.post(PLAN, data={**base, "title": "", "due": "i morgon"})
    assert bad.status_code == 400 and "Fyll i en rubrik." in bad.text
    bad = admin.post(PLAN, data={**base, "title": "X", "due": "i morgon"})
    assert bad.status_code == 400 and "Ange datumet som ÅÅÅÅ-MM-DD." in bad.text
    assert len(db.scalars(select(models.Action)).all()) == 2

    action = db.scalar(select(models.Action).filter_by(title="Skriv en strategi"))
    moved = admin.post(f"{PLAN}/{action.id}", data={"csrf_token": csrf, "status": "in_progress"})
    assert moved.status_code == 303
    db.refresh(action)
    assert action.status == "in_progress"
    logged = [e.action for e in db.scalars(select(models.AuditEvent))]
    assert [a for a in logged if a.startswith("action")] == [
        "action_added",
        "action_added",
        "action_status",
    ]

    board = signed_in(app, app.test_client(), role="board", forbund="norrsund", email="b@n.invalid")
    # The round the actions were planned from lists them; the overdue one is marked.
    planned = tables(board.get("/f/norrsund/maturity?round=2026").text)["planned"]
    assert planned[1][0] == "Strategi och långsiktighet" and "försenad" in planned[1][3]
    assert planned[1][4] == "pågår"
    # The next round shows each beside its dimension's change since the previous round:
    # every statement answered 3 in both rounds, so no clear change, said honestly.
    page = board.get("/f/norrsund/maturity?round=2027")
    follow = tables(page.text)["follow-up"]
    assert follow[1][1].startswith("Skriv en strategi") and "försenad" in follow[1][3]
    assert follow[1][5].startswith("ingen säker förändring")
    assert "påstår inte att åtgärden orsakade" in page.text
    # At the top, what to work on next points at the overdue action.
    assert 'href="#actions">Försenade åtgärder: Skriv en strategi.</a>' in page.text

    csv = board.get("/f/norrsund/actions.csv")
    text = csv.data.decode("utf-8-sig")
    assert (
        text.splitlines()[0]
        == "Omgång;Dimension;Rubrik;Beskrivning;Ansvarig;Klar senast;Status;Försenad"
    )
    assert "Skriv en strategi" in text and ";pågår;ja" in text
    assert '\'=HYPERLINK(""x"")' in text or "'=HYPERLINK" in text  # never a live formula

    book = load_workbook(io.BytesIO(board.get("/export/norrsund/2027.xlsx").data))
    rows = list(book["Åtgärder"].iter_rows(values_only=True))
    assert rows[1][:3] == ("2026", "STRAT", "Skriv en strategi") or rows[2][:3] == (
        "2026", "STRAT", "Skriv en strategi")  # fmt: skip
