"""A national reference needs enough förbund (issue 22): a förbund alone in a round was
shown "riksreferens 3,10 (1 förb.)", its own mean; with two, a board knowing its own mean
gets the other förbund's. Now a dimension's reference averages at least
MIN_REFERENCE_ASSOCIATIONS förbund (default 3, never fewer), and below it every page, the
JSON and the board workbook say there is no national reference yet."""

from __future__ import annotations

import io
import re

import pytest
from builders import add_response, all_items, make_round
from conftest import make_app, signed_in
from openpyxl import load_workbook

from survey.results import scoring

NONE_YET = "Det finns ingen riksreferens för mätomgång 2026 ännu"
CELL_NONE_YET = "ingen riksreferens ännu (färre än 3 förbund)"
FORBUND = ("norrsund", "sydkust", "vastra", "osterby")


def publish(db, slugs, level=3):
    for i, slug in enumerate(slugs):
        rnd = make_round(db, slug, "2026", state="published")
        for person in range(6):
            value = 1 + (level + i + person) % 5
            add_response(db, rnd, all_items(db, rnd, lambda item, v=value: v))


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def reference_cells(client) -> list:
    book = load_workbook(io.BytesIO(client.get("/export/norrsund/2026.xlsx").data))
    overview = list(book.worksheets[0].iter_rows(values_only=True))
    return [row[7] for row in overview[1:]]


@pytest.mark.parametrize("count", [1, 2])
def test_too_few_forbund_make_no_national_reference_anywhere(app, db, count):
    publish(db, FORBUND[:count])
    board = signed_in(app, app.test_client(), role="board", forbund="norrsund")
    page = words(board.get("/f/norrsund?round=2026").text)
    assert NONE_YET in page and "förb." not in page  # never "3,10 (1 förb.)"
    report = words(board.get("/f/norrsund/report?round=2026").text)
    assert NONE_YET in report
    data = board.get("/f/norrsund/data.json?round=2026").get_json()
    assert {d["national_mean"] for d in data["dimensions"]} == {None}
    assert {d["national_associations"] for d in data["dimensions"]} == {0}
    compare = words(board.get("/compare?round=2026&f=norrsund").text)
    assert NONE_YET in compare
    assert set(reference_cells(board)) == {CELL_NONE_YET}


def test_three_forbund_make_a_reference_of_three(app, db):
    publish(db, FORBUND[:3])
    board = signed_in(app, app.test_client(), role="board", forbund="norrsund")
    page = words(board.get("/f/norrsund?round=2026").text)
    assert NONE_YET not in page and "3 förb." in page
    data = board.get("/f/norrsund/data.json?round=2026").get_json()
    assert {d["national_associations"] for d in data["dimensions"]} == {3}
    assert all(isinstance(cell, float) for cell in reference_cells(board))


def test_the_minimum_is_a_setting_that_never_goes_below_three(app, db, database_url, tmp_path):
    for fewer in ("2", "1", "två"):
        with pytest.raises(ValueError, match="MIN_REFERENCE_ASSOCIATIONS must be a whole number"):
            make_app(database_url, tmp_path, MIN_REFERENCE_ASSOCIATIONS=fewer)
    # The core holds the floor whatever a caller passes: two förbund make no reference.
    publish(db, FORBUND[:2])
    assert (
        scoring.national_reference(db, "2026", "integrerad-samverkan", 5, demo=False, minimum=1)
        == {}
    )
    publish(db, FORBUND[2:3])
    stricter = make_app(database_url, tmp_path, MIN_REFERENCE_ASSOCIATIONS=4)
    board = signed_in(stricter, stricter.test_client(), role="board", forbund="norrsund")
    page = words(board.get("/f/norrsund?round=2026").text)
    assert "kräver publicerade resultat från minst 4 samordningsförbund" in page
    stricter.extensions["survey_engine"].dispose()
