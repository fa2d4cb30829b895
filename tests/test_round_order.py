"""Rounds follow time, not their labels as strings: a förbund that names its rounds "9" and
"10" (or "ht2025" and "vt2025") sees round 10 as its latest, round 9 as the previous one,
and its trend in that order on the board's page, in its JSON and in its workbook; rounds
that existed before the order was stored are numbered from their labels."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import add_response, all_items, make_round
from exportdata import sheet_rows, workbook
from sqlalchemy import text

from survey.db import migrations
from survey.db.engine import make_engine
from survey.results import comparisons


@pytest.fixture
def client(admin_client):
    return admin_client


def _published(db, label, value, slug="norrsund", n=5):
    rnd = make_round(db, slug=slug, label=label, state="published")
    for _ in range(n):
        add_response(
            db, rnd, all_items(db, rnd, lambda item, v=value: 6 - v if item.reverse else v)
        )
    return rnd


def test_round_ten_follows_round_nine_on_the_board_and_in_its_json(client, db):
    _published(db, "9", 2)
    _published(db, "10", 4)
    data = client.get("/f/norrsund/data.json").get_json()
    assert data["round"] == "10" and data["previous_round"] == "9"
    assert data["dimensions"][0]["mean"] == 4.0
    page = client.get("/f/norrsund").text
    assert "4,00" in page and "+2,00" in page  # the change from round 9, not to it


def test_the_workbook_trend_runs_from_round_nine_to_ten(client, db):
    _published(db, "9", 2)
    _published(db, "10", 4)
    wb = workbook(client.get("/export/norrsund/10.xlsx").data)
    sheet = sheet_rows(wb, "Norrsund samordningsförbund")
    header = next(r for r in sheet if r[0] == "Dimension")
    assert header[:5] == ("Dimension", "9", "n", "10", "n")
    strat = next(r for r in sheet if r[0] == "Strategi och långsiktighet")
    assert strat[1] == 2.0 and strat[3] == 4.0
    # The workbook of round 9 has no later round in its trend.
    earlier = sheet_rows(
        workbook(client.get("/export/norrsund/9.xlsx").data), "Norrsund samordningsförbund"
    )
    assert next(r for r in earlier if r[0] == "Dimension")[:3] == ("Dimension", "9", "n")


def test_spring_before_autumn_whatever_the_letters(client, db):
    _published(db, "vt2025", 2)
    _published(db, "ht2025", 3)
    data = client.get("/f/norrsund/data.json").get_json()
    assert data["round"] == "ht2025" and data["previous_round"] == "vt2025"


def test_the_national_picker_lists_the_newest_period_first(db):
    today = dt.date.today()
    for slug in ("norrsund", "sydkust"):
        make_round(db, slug=slug, label="9", state="published", opens_on=today.replace(year=2025))
        make_round(db, slug=slug, label="10", state="published", opens_on=today.replace(year=2026))
    assert comparisons.round_labels(db) == ["10", "9"]


def test_existing_rounds_are_numbered_from_their_labels(database_url):
    engine = make_engine(database_url)
    try:
        migrations._run(engine, lambda cfg: migrations.command.upgrade(cfg, "0006"))
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO association (id, slug, name, is_demo, named_to_others, members, "
                    "privacy_contact) VALUES (1, 'a', 'A', false, false, '', ''), "
                    "(2, 'b', 'B', false, false, '', '')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO questionnaire (id, key, version, title_sv, title_en, definition, "
                    "source_sha256) VALUES (1, 'q', 1, 'q', 'q', '{}', '')"
                )
            )
            for rid, assoc, label in [(1, 1, "10"), (2, 1, "9"), (3, 1, "2"), (4, 2, "2026")]:
                conn.execute(
                    text(
                        "INSERT INTO round (id, association_id, questionnaire_id, label, state) "
                        "VALUES (:id, :a, 1, :label, 'closed')"
                    ),
                    {"id": rid, "a": assoc, "label": label},
                )
        migrations.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT label, sequence FROM round ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("10", 3), ("9", 2), ("2", 1), ("2026", 1)]
    finally:
        engine.dispose()


def test_a_past_round_entered_afterwards_with_its_dates_comes_first(client, db):
    today = dt.date.today()
    _published(db, "2026", 4)
    old = make_round(
        db,
        label="2025",
        state="published",
        opens_on=today - dt.timedelta(days=400),
        closes_on=today - dt.timedelta(days=370),
    )
    for _ in range(5):
        add_response(db, old, all_items(db, old, lambda item: 4 if item.reverse else 2))
    data = client.get("/f/norrsund/data.json").get_json()
    assert data["round"] == "2026" and data["previous_round"] == "2025"
    # A round without dates, entered last, is the latest.
    make_round(db, label="extra", state="published", opens_on=None, closes_on=None)
    assert client.get("/f/norrsund/data.json").get_json()["round"] == "extra"
