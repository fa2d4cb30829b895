"""k is owned by survey.disclosure: a configured k is a whole number of at least 3 or the
app refuses to start, and every place that hides small groups applies the floor of 3
whatever a caller passes (the board, the response rate, the exports)."""

from __future__ import annotations

import pytest
from builders import add_response, all_items, make_round

from survey import create_app
from survey.disclosure import complementary, configured_k, effective_k, too_few
from survey.exports import recoding
from survey.exports.selection import ExportFilter, select_rounds
from survey.results import scoring
from survey.rounds import rate
from survey.settings import Settings


@pytest.mark.parametrize("value", ["fem", "2", "0", "-4", "4.5", "٥", 2])
def test_a_k_that_is_not_a_whole_number_of_at_least_three_stops_start_up(tmp_path, value):
    with pytest.raises(ValueError, match="MIN_GROUP_SIZE must be a whole number of at least 3"):
        Settings.load(tmp_path, {"MIN_GROUP_SIZE": value})
    with pytest.raises(ValueError, match="MIN_GROUP_SIZE"):
        create_app({"TESTING": True, "INSTANCE_PATH": tmp_path, "MIN_GROUP_SIZE": value})


def test_k_is_five_unless_configured_and_may_be_three_or_more(tmp_path):
    assert Settings.load(tmp_path).min_group_size == 5
    assert Settings.load(tmp_path, {"MIN_GROUP_SIZE": " 3 "}).min_group_size == 3
    assert configured_k(12) == 12 and configured_k("") == 5


def test_the_floor_holds_whatever_a_caller_passes():
    assert effective_k(1) == 3 and effective_k(0) == 3 and effective_k(7) == 7


def test_the_smallest_shown_groups_give_way_until_the_hidden_rest_is_zero_or_k():
    groups = [("a", 5), ("b", 6), ("c", 9)]  # shown, smallest first; 2 people hidden
    hidden = complementary(groups, (2,), 5, lambda g: (g[1],))
    assert hidden == [("a", 5)]
    assert complementary(groups, (0,), 5, lambda g: (g[1],)) == []
    # Both populations are checked: the second still under k takes one more group.
    two = [("a", 5, 1), ("b", 6, 3), ("c", 9, 9)]
    assert complementary(two, (2, 2), 5, lambda g: g[1:]) == [two[0], two[1]]
    # A k under the floor is the floor here too.
    assert complementary(groups, (2,), 1, lambda g: (g[1],)) == [("a", 5)]


def test_the_wording_of_a_hidden_figure_is_one_sentence_in_each_language():
    assert too_few("sv", 5) == "för få svar (n < 5)"
    assert too_few("en", 5) == "too few answers (n < 5)"


def _two_and_four(db, state="open"):
    """A round where two answered as one role and four as another."""
    rnd = make_round(db, slug="liten", label="2026", state=state)
    for role, count in (("chef", 2), ("handlaggare", 4)):
        for _ in range(count):
            add_response(db, rnd, all_items(db, rnd, lambda _item: 3), role=role)
    return rnd


def test_the_live_response_rate_holds_the_floor_when_told_a_smaller_k(db):
    rnd = _two_and_four(db)
    shown = rate.response_rate(db, rnd.id, 1)
    # The two would be shown under k = 1; under the floor of 3 they are hidden, and the
    # four with them (else 6 − 4 would give the two away).
    assert shown.k == 3 and shown.by_role is None


def test_the_board_and_the_research_file_hold_the_floor_when_told_a_smaller_k(db):
    rnd = _two_and_four(db, state="published")
    by_role = scoring.dimension_stats(db, [rnd.id], 1, by="role")
    assert all(s.suppressed for s in by_role)
    selection = select_rounds(db, ExportFilter(rounds=("2026",), associations=("liten",)))
    assert recoding.plan(db, selection, 1).k == 3
