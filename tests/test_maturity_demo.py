"""The demo shows issue 21 on its newest published round (version 3): levels now and
desired, agreement or split, a recorded consensus workshop, and actions planned from the
round before followed up beside their dimension's change."""

from __future__ import annotations

import datetime as dt

import pytest
from board_html import figure_data, tables
from conftest import demo_module_app, signed_in

NEWEST = str(dt.date.today().year - 1)  # the demo's latest published round


@pytest.fixture(scope="module")
def board(tmp_path_factory, postgres_url):
    app = demo_module_app("sqlite", tmp_path_factory.mktemp("maturity"), postgres_url)
    yield signed_in(app, app.test_client(), role="board", forbund="demo-norrsund")
    app.extensions["survey_engine"].dispose()


def test_the_demo_shows_levels_agreement_a_workshop_and_followed_up_actions(board):
    page = board.get(f"/f/demo-norrsund/maturity?round={NEWEST}")
    assert page.status_code == 200
    gaps = tables(page.text)["by-gap"]
    assert len(gaps) == 11  # header + ten dimensions, every one with figures
    assert all("n = " in row[2] and "n = " in row[3] for row in gaps[1:])
    verdicts = [row[1] for row in tables(page.text)["agreement-table"][1:]]
    assert "splittrad bild" in verdicts and "samstämmig bild" in verdicts
    assert verdicts.index("splittrad bild") < verdicts.index("samstämmig bild")
    names = [trace["name"] for trace in figure_data(page.text, "levels")["data"]]
    assert names[-1] == "Överenskommen nivå (workshop)" and len(names) == 4
    follow = tables(page.text)["follow-up"]
    assert [row[1].split(" (")[0] for row in follow[1:]] == [
        "Gemensam rutin för överlämningar",
        "Skriv en gemensam strategi för samverkan",
        "Gemensam utbildning om parternas uppdrag",
    ]
    assert "försenad" in follow[2][3] and "försenad" not in follow[3][3]
