"""A board member reads where the förbund is, where people want it to be and whether they
agree: per dimension the current score, the level rated now, the desired level, the gap,
the national "now", and agreement or split per group, through the publication gate, with
nothing of a group under k shown or derivable by subtraction."""

from __future__ import annotations

import pytest
from board_html import figure_data, rows_by_key, tables
from builders import add_response, all_items, make_round


@pytest.fixture
def client(admin_client):
    return admin_client


def statements(db, rnd, value):
    """Every statement answered `value` after reverse coding (no level answers)."""
    return {
        code: (6 - value if reverse else value)
        for code, reverse in (
            (code, code in REVERSED) for code in all_items(db, rnd, lambda item: None)
        )
        if "." not in code
    }


REVERSED: set[str] = set()


@pytest.fixture
def rated(db):
    """Eight people in a version 3 round: six staff, two managers (under k = 5)."""
    from sqlalchemy import select

    from survey.db import models

    rnd = make_round(db, slug="norrsund", label="2027", state="published", version=3)
    REVERSED.clear()
    REVERSED.update(
        db.scalars(
            select(models.Item.code).filter_by(questionnaire_id=rnd.questionnaire_id, reverse=True)
        )
    )
    for now in (2, 2, 3, 3, 3, 3):
        add_response(
            db,
            rnd,
            {**statements(db, rnd, 3), "STRAT.NOW": now, "STRAT.WANT": 4, "STYR.NOW": 3},
            role="handlaggare",
        )
    for now in (5, 5):
        add_response(
            db,
            rnd,
            {
                **statements(db, rnd, 3),
                **{"STRAT.NOW": now, "STRAT.WANT": 5, "STYR.NOW": 3, "STYR.WANT": 5},
            },
            role="chef",
        )
    return rnd


def test_the_board_sees_current_now_desired_and_gap_ordered_by_gap(client, rated):
    page = client.get("/f/norrsund/maturity")
    assert page.status_code == 200
    gap = tables(page.text)["by-gap"]
    rows = rows_by_key(gap)
    # STRAT: current 3,00 (statements), now 26/8 = 3,25, desired (6·4 + 2·5)/8 = 4,25.
    assert rows["Strategi och långsiktighet"][:4] == [
        "3,00",
        "3,25 (n = 8)",
        "4,25 (n = 8)",
        "+1,25",
    ]
    assert gap[1][0] == "Strategi och långsiktighet"  # the only gap shown comes first
    # Two desired ratings (the managers'), fewer than k: no figure and no gap.
    assert rows["Styrning och mandat"][2].startswith("–*") and rows["Styrning och mandat"][3] == "–"
    # What to work on next: the largest gap and the split dimension, linked to their place.
    assert 'href="#gaps">Störst avstånd till önskat läge: Strategi och långsiktighet.' in page.text
    assert 'href="#agreement">Splittrad bild, värd att diskutera: Strategi och' in page.text
    radar = figure_data(page.text, "levels")
    names = [trace["name"] for trace in radar["data"]]
    assert names == ["Skattad nivå i dag", "Önskat läge om två år", "Riket, skattad nivå i dag"]


def test_split_dimensions_come_first_and_a_small_group_is_never_shown_or_derivable(client, rated):
    page = client.get("/f/norrsund/maturity")
    agreement = tables(page.text)["agreement-table"]
    header, first = agreement[0], agreement[1]
    assert header[:4] == ["Område", "Alla", "Median", "Kvartilavstånd"] or header[1] == "Alla"
    # STRAT: 2,2,3,3,3,3,5,5: bands with the median 3 hold 6 of 8 → 2 outside: split.
    assert first[0] == "Strategi och långsiktighet" and first[1] == "splittrad bild"
    # STYR: all eight rated 3: agreement.
    assert rows_by_key(agreement)["Styrning och mandat"][0] == "samstämmig bild"
    # The managers (2) are under k, and the staff (6) are hidden too: the total (8) minus
    # the staff would give the managers' ratings away.
    strat = dict(zip(header, first, strict=True))
    assert strat["Chef i första linjen"].startswith("–*")
    assert strat["Medarbetare och andra roller"].startswith("–†")
    assert "samstämmig" not in strat["Medarbetare och andra roller"]


def test_the_page_waits_for_publication(client, db):
    make_round(db, slug="osterby", label="2027", state="closed", version=3)
    page = client.get("/f/osterby/maturity")
    assert "Skattad nivå i dag" not in page.text
    assert "by-gap" not in page.text


def test_a_round_without_the_level_question_says_so(client, db):
    make_round(db, slug="vasterby", label="2026", state="published", version=2)
    page = client.get("/f/vasterby/maturity")
    assert page.status_code == 200
    assert 'id="not-asked"' in page.text


def test_the_national_level_needs_three_published_forbund_like_every_reference(db):
    """The radar's "Riket, skattad nivå i dag" follows `scoring.national_reference`'s rules:
    with two förbund a board knowing its own mean could work out the other's."""
    from survey.maturity.levels import national_levels

    def rated_round(slug, now, state="published"):
        rnd = make_round(db, slug=slug, label="2027", state=state, version=3)
        for _ in range(5):
            add_response(db, rnd, {"STRAT.NOW": now})
        return rnd

    key = rated_round("norrsund", 2).questionnaire.key
    rated_round("sydkust", 4)
    rated_round("vastby", 5, state="closed")  # not published: never counted
    db.commit()
    assert national_levels(db, "2027", key, 5, "now", demo=False) == {}
    rated_round("osterby", 3)
    db.commit()
    assert national_levels(db, "2027", key, 5, "now", demo=False) == {"STRAT": 3.0}
