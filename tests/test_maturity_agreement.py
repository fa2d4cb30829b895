"""Agreement or split per dimension and group: SCIROCCO's Delphi rule adapted to 1–5
(agreement when fewer than a quarter of the ratings lie outside a 3-point band containing
the median), checked at the band's borders on hand-made distributions; quartiles and
rwg(j) computed independently here (numpy, the published formula)."""

from __future__ import annotations

import numpy as np
import pytest
from builders import add_response, make_round

from survey.maturity import agreement
from survey.maturity.levels import level_stats


def counts(*ratings: int) -> dict[int, int]:
    return {p: ratings.count(p) for p in agreement.POINTS}


@pytest.mark.parametrize(
    ("ratings", "band", "outside", "agreed"),
    [
        # 8 ratings: split from 2 outside (not fewer than a quarter), agreed with 1.
        ((1, 3, 3, 3, 3, 5, 5, 5), (3, 5), 1, True),
        ((1, 1, 3, 3, 3, 5, 5, 5), (3, 5), 2, False),
        # The band must contain the median: with median 1 only 1–3 qualifies.
        ((1, 1, 1, 1, 1, 1, 5), (1, 3), 1, True),
        ((1, 1, 1, 1, 1, 4, 5), (1, 3), 2, False),
        # A median between two levels (2.5): both 1–3 and 2–4 contain it; the fuller wins.
        ((2, 2, 3, 3, 4, 4), (2, 4), 0, True),
        ((1, 1, 2, 3, 5, 5), (1, 3), 2, False),
        # Two camps at the ends: split whatever the median.
        ((1, 1, 1, 1, 5, 5, 5, 5), (1, 3), 4, False),
        # Everyone on one level.
        ((4, 4, 4, 4, 4), (2, 4), 0, True),
    ],
)
def test_the_delphi_rule_at_the_borders_of_its_band(ratings, band, outside, agreed):
    verdict = agreement.judge(counts(*ratings))
    assert verdict.band == band
    assert verdict.outside == outside
    assert verdict.agreed is agreed
    assert verdict.n == len(ratings)


def test_the_share_is_a_setting_of_the_rule():
    ratings = counts(1, 1, 3, 3, 3, 5, 5, 5)  # 2 of 8 outside: a quarter
    assert agreement.judge(ratings).agreed is False
    assert agreement.judge(ratings, share=1 / 3).agreed is True  # SCIROCCO's third


@pytest.mark.parametrize(
    "ratings",
    [(1, 2, 2, 3, 3, 3, 4, 5), (3, 3, 3, 3, 3, 4), (1, 5), (2, 2, 2, 2, 5, 5, 1), (4,)],
)
def test_median_quartiles_and_rwg_match_an_independent_computation(ratings):
    verdict = agreement.judge(counts(*ratings))
    values = np.array(ratings, dtype=float)
    assert verdict.median == pytest.approx(np.median(values))
    assert verdict.q1 == pytest.approx(np.percentile(values, 25))
    assert verdict.q3 == pytest.approx(np.percentile(values, 75))
    assert verdict.iqr == pytest.approx(np.percentile(values, 75) - np.percentile(values, 25))
    if len(values) < 2:
        assert verdict.rwg is None
    else:
        # James, Demaree & Wolf: rwg = 1 − s²/σ²_E, σ²_E = (A² − 1)/12 = 2 for A = 5.
        expected = 1 - values.var(ddof=1) / ((5**2 - 1) / 12)
        assert verdict.rwg == pytest.approx(max(expected, 0.0))


def test_rwg_j_over_several_items_follows_the_published_formula():
    variances = [0.5, 0.8, 1.1, 0.6]
    mean_var, null = float(np.mean(variances)), 2.0
    j = len(variances)
    expected = j * (1 - mean_var / null) / (j * (1 - mean_var / null) + mean_var / null)
    assert agreement.rwg_j(variances) == pytest.approx(expected)
    # More variance than an even spread over the scale: no agreement at all, not negative.
    assert agreement.rwg_j([2.5, 3.0]) == 0.0
    assert agreement.rwg_j([0.0]) == 1.0


def test_level_ratings_are_counted_in_sql_and_hidden_below_k(app, db):
    rnd = make_round(db, version=3, state="published")
    for value in (2, 2, 3, 3, 3, 4):
        add_response(db, rnd, {"STRAT.NOW": value, "STRAT.WANT": 4}, role="handlaggare")
    for value in (1, 5, None):  # three managers, one "vet ej"
        add_response(db, rnd, {"STRAT.NOW": value, "STRAT.WANT": 5}, role="chef")

    (now,) = level_stats(db, [rnd.id], k=5)
    assert (now.dimension, now.n, now.counts) == ("STRAT", 8, (1, 2, 3, 1, 1))
    assert now.mean == pytest.approx(23 / 8)
    # 1–3 and 2–4 both hold 6 of 8 (the lower band on a tie): 2 outside, a quarter: split.
    assert now.verdict.median == 3 and now.verdict.band == (1, 3)
    assert now.verdict.outside == 2 and now.verdict.agreed is False

    (want,) = level_stats(db, [rnd.id], k=5, kind="want")
    assert want.counts == (0, 0, 0, 6, 3)

    by_role = {s.group: s for s in level_stats(db, [rnd.id], k=5, by="role")}
    assert by_role["chef"].hidden and by_role["chef"].counts is None  # n = 2 < 5
    # Staff alone (6) would leave the managers' two ratings to subtract from the total.
    assert by_role["handlaggare"].hidden and by_role["handlaggare"].verdict is None
