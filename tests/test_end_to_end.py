"""The walking skeleton end to end: answer through the forms, see it counted, download it."""

from __future__ import annotations

import io

import pytest
from board_html import sv
from builders import answer_all, close_and_publish, invite, make_round
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey.db import models


@pytest.fixture
def client(admin_client):
    """These tests are about the board's pages and downloads, which need a signed-in user:
    a system administrator's browser (who may use which route: tests/test_access.py)."""
    return admin_client


def test_submitted_response_is_counted_on_the_dashboard_and_in_excel(client, db):
    rnd = make_round(db)
    tokens = invite(db, rnd, 5)
    # Five respondents (k = 5) so the group is shown; STRAT items get 2, 3, 4, 5, 5.
    for token, strat_value in zip(tokens, ["2", "3", "4", "5", "5"], strict=True):
        thanks = answer_all(
            client, token, value=lambda code, v=strat_value: v if code.startswith("STRAT") else "4"
        )
        assert "Tack" in thanks.text or "Thank you" in thanks.text

    stored = db.scalar(select(func.count()).select_from(models.Response).filter_by(round_id=rnd.id))
    assert stored == 5
    # Attack 1: while the round is open its page gives counts only, so loading it before
    # and after one more submit tells nothing about that person's answers.
    live = client.get("/f/norrsund?round=2026")
    assert "Omgång 2026 är inte publicerad än" in live.text and sv(3.4) not in live.text
    assert client.get("/f/norrsund/data.json?round=2026").get_json()["published"] is False
    assert client.get("/export/norrsund/2026.xlsx").status_code == 400
    close_and_publish(db, rnd)

    page = client.get("/f/norrsund?round=2026")
    assert page.status_code == 200
    # STRAT3 is reverse-scored: a raw v becomes 6 − v, so each respondent's STRAT score is
    # (v + v + (6 − v) + v) / 4 = (2v + 6 + v) / 4 … computed here from the raw values.
    expected = sum((3 * v + (6 - v)) / 4 for v in (2, 3, 4, 5, 5)) / 5
    assert sv(expected) in page.text
    assert 'id="radar"' in page.text
    assert "/vendor/plotly.min.js" in page.text

    download = client.get("/export/norrsund/2026.xlsx")  # the dashboard's Excel link
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(download.data))
    overview = list(wb["Översikt"].iter_rows(values_only=True))
    header, rows = overview[0], {r[3]: r for r in overview[1:]}
    assert rows["STRAT"][header.index("Antal svar (n)")] == 5
    assert abs(rows["STRAT"][header.index("Medelvärde")] - expected) < 1e-9

    research = load_workbook(io.BytesIO(client.get("/export/research.xlsx?round=2026").data))
    answers = list(research["Svar"].iter_rows(values_only=True))
    assert len(answers) == 1 + 5
    strat1 = answers[0].index("STRAT1")
    assert sorted(r[strat1] for r in answers[1:]) == [2, 3, 4, 5, 5]
    # The raw values in the file are exactly those in the database.
    raw = db.scalars(
        select(models.Answer.value).join(models.Item).where(models.Item.code == "STRAT1")
    ).all()
    assert sorted(raw) == [2, 3, 4, 5, 5]


def test_small_group_is_suppressed_on_the_page_and_in_excel(client, db):
    rnd = make_round(db)
    for token in invite(db, rnd, 2):
        answer_all(client, token, value=lambda code: "5")
    close_and_publish(db, rnd)
    page = client.get("/f/norrsund")
    assert "5,00" not in page.text
    assert "n &lt; 5" in page.text or "n < 5" in page.text
    wb = load_workbook(io.BytesIO(client.get("/export/norrsund/2026.xlsx").data))
    overview = list(wb["Översikt"].iter_rows(values_only=True))
    assert all(row[5] == "för få svar (n < 5)" and row[6] is None for row in overview[1:])


def test_plotly_is_served_by_the_app(client):
    resp = client.get("/vendor/plotly.min.js")
    assert resp.status_code == 200
    assert b"plotly" in resp.data[:2000].lower()


def test_unknown_association_and_round_give_404(client, db):
    make_round(db)
    assert client.get("/f/nowhere").status_code == 404
    assert client.get("/f/norrsund?round=1999").status_code == 404
    assert client.get("/export/norrsund/1999.xlsx").status_code == 404
