"""Every statistic of survey.scoring against values computed by hand on small fixtures, on
SQLite and PostgreSQL. STRAT has four statements; STRAT3 is reverse-scored (6 − x)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from builders import add_response, make_round
from sqlalchemy import select

from survey import disclosure
from survey.db import models
from survey.instruments.catalog import definition_of
from survey.results import overview, reliability, scoring

# Raw answers (None = "vet ej"; a missing key = skipped, no row at all).
FIXTURE = [
    {"STRAT1": 4, "STRAT2": 4, "STRAT3": 2, "STRAT4": 4},  # STRAT3 → 4: score 4.0
    {"STRAT1": 5, "STRAT2": 5, "STRAT3": 1, "STRAT4": 5},  # STRAT3 → 5: score 5.0
    {"STRAT1": 3, "STRAT2": 3, "STRAT3": 3},  # STRAT4 skipped: 3 of 4 answered, 3.0
    {"STRAT1": 2, "STRAT2": None, "STRAT3": None, "STRAT4": 4},  # exactly half: 3.0
    {"STRAT1": 1, "STRAT2": None, "STRAT3": None, "STRAT4": None},  # 1 of 4: no score
    {"STRAT1": 2, "STRAT2": 2, "STRAT3": 4, "STRAT4": 2},  # STRAT3 → 2: score 2.0
]


#: Dates of a round a year before the fixture's: entered after it, it still comes first.
A_YEAR_BEFORE = {
    "opens_on": dt.date.today() - dt.timedelta(days=372),
    "closes_on": dt.date.today() - dt.timedelta(days=335),
}


@pytest.fixture
def fixture_round(db):
    rnd = make_round(db, state="published")
    for answers in FIXTURE:
        add_response(db, rnd, answers)
    # Never counted anywhere: not submitted.
    add_response(db, rnd, {"STRAT1": 5, "STRAT2": 5, "STRAT3": 1, "STRAT4": 5}, state="in_progress")
    return rnd


def strat(stats):
    return next(s for s in stats if s.dimension == "STRAT")


def test_respondent_scores_recode_reverse_items_and_keep_half_answered(db, fixture_round):
    stmt = respondent_scores_of(fixture_round, "STRAT")
    assert sorted(db.scalars(stmt)) == [2.0, 3.0, 3.0, 4.0, 5.0]


def respondent_scores_of(rnd, dimension):
    scores = scoring.respondent_scores().subquery()
    return select(scores.c.score).where(
        scores.c.round_id == rnd.id, scores.c.dimension == dimension
    )


def test_group_statistics_by_hand(db, fixture_round):
    s = strat(scoring.dimension_stats(db, [fixture_round.id], k=5))
    # Scores 4, 5, 3, 3, 2: mean 17/5; squared deviations .36+2.56+.16+.16+1.96 = 5.2.
    assert (s.n, s.suppressed, s.group) == (5, False, None)
    assert s.mean == pytest.approx(3.4)
    assert s.sd == pytest.approx(math.sqrt(5.2 / 4))
    assert s.median == pytest.approx(3.0)
    # Every answer of all six respondents after recoding: 1 ×1, 2 ×5, 3 ×3, 4 ×5, 5 ×4.
    assert s.distribution == (1, 5, 3, 5, 4)
    # 23 answer rows (one skipped), 5 of them "vet ej".
    assert s.answers == 23
    assert s.dont_know_share == pytest.approx(5 / 23)
    assert s.shares == pytest.approx((1 / 18, 5 / 18, 3 / 18, 5 / 18, 4 / 18))


def test_even_group_median_is_the_mean_of_the_middle_two(db):
    rnd = make_round(db, state="published")
    for v in (2, 3, 4, 5):
        add_response(db, rnd, {"STYR1": v, "STYR2": v, "STYR3": v, "STYR4": v})
    s = next(s for s in scoring.dimension_stats(db, [rnd.id], k=3) if s.dimension == "STYR")
    assert (s.n, s.median, s.mean) == (4, pytest.approx(3.5), pytest.approx(3.5))
    assert s.sd == pytest.approx(math.sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3))


def test_k_never_goes_below_three(db):
    rnd = make_round(db, state="published")
    for v in (2, 4):
        add_response(db, rnd, {"STYR1": v, "STYR2": v})
    s = next(s for s in scoring.dimension_stats(db, [rnd.id], k=1) if s.dimension == "STYR")
    assert s.suppressed and s.mean is None and disclosure.effective_k(1) == 3


def test_one_respondent_is_suppressed_with_no_figures(db):
    rnd = make_round(db, state="published")
    add_response(db, rnd, {"STRAT1": 5, "STRAT2": 5, "STRAT3": 1, "STRAT4": 5})
    for by in (None, "role", "agency"):
        s = strat(scoring.dimension_stats(db, [rnd.id], k=5, by=by))
        assert s.n == 1 and s.suppressed
        figures = (s.mean, s.sd, s.median, s.distribution, s.dont_know_share, s.answers)
        assert figures == (None,) * 6


def test_all_vet_ej_gives_no_score_and_a_suppressed_group(db):
    rnd = make_round(db, state="published")
    for _ in range(6):
        add_response(db, rnd, {"STRAT1": None, "STRAT2": None, "STRAT3": None, "STRAT4": None})
    s = strat(scoring.dimension_stats(db, [rnd.id], k=5))
    assert (s.n, s.suppressed, s.mean, s.dont_know_share) == (0, True, None, None)
    row = next(r for r in overview.round_overview(db, rnd, 5, "sv").rows if r.code == "STRAT")
    assert row.suppressed and row.mean is None and row.n == 0


def test_suppression_follows_k(db, fixture_round):
    assert strat(scoring.dimension_stats(db, [fixture_round.id], k=6)).suppressed
    assert not strat(scoring.dimension_stats(db, [fixture_round.id], k=5)).suppressed


def test_breakdown_by_role_and_agency(db):
    rnd = make_round(db, state="published")
    for v in (1, 2, 3, 4, 5):
        add_response(db, rnd, {"STYR1": v, "STYR2": v}, role="handlaggare", agency="fk")
    for v in (3, 3, 4, 5, 5):
        add_response(db, rnd, {"STYR1": v, "STYR2": v}, role="chef", agency="region")
    stats = [s for s in scoring.dimension_stats(db, [rnd.id], k=5, by="role")]
    styr = {s.group: s for s in stats if s.dimension == "STYR"}
    assert set(styr) == {"chef", "handlaggare"}
    assert styr["handlaggare"].mean == pytest.approx(3.0)
    assert styr["handlaggare"].median == pytest.approx(3.0)
    assert styr["chef"].mean == pytest.approx(4.0)
    assert styr["chef"].median == pytest.approx(4.0)
    assert styr["chef"].distribution == (0, 0, 4, 2, 4)
    by_agency = {
        s.group: s
        for s in scoring.dimension_stats(db, [rnd.id], k=5, by="agency")
        if s.dimension == "STYR"
    }
    assert by_agency["fk"].mean == pytest.approx(3.0)
    assert by_agency["region"].mean == pytest.approx(4.0)


def test_a_shown_group_is_hidden_when_the_total_would_give_a_small_one_away(db):
    """Total 12 minus handläggare 5 minus chef 5 would be the 2 board members' figures."""
    rnd = make_round(db, state="published")
    for role, count, v in (("handlaggare", 6, 4), ("chef", 5, 3), ("styrelse", 2, 1)):
        for _ in range(count):
            add_response(db, rnd, {"STYR1": v, "STYR2": v}, role=role)
    styr = {
        s.group: s
        for s in scoring.dimension_stats(db, [rnd.id], 5, by="role")
        if s.dimension == "STYR"
    }
    assert styr["styrelse"].suppressed and styr["styrelse"].n == 2
    # The smallest shown group goes too, so what is hidden together is ≥ k people.
    assert styr["chef"].suppressed and styr["chef"].n == 5 and styr["chef"].mean is None
    assert not styr["handlaggare"].suppressed and styr["handlaggare"].mean == 4.0
    # The total stays shown.
    total = next(s for s in scoring.dimension_stats(db, [rnd.id], 5) if s.dimension == "STYR")
    assert not total.suppressed and total.n == 13


def test_respondents_without_a_score_count_in_the_complement_too(db):
    """Their answers are in the total's distribution, so the groups must not give them away."""
    rnd = make_round(db, state="published")
    for role in ("handlaggare", "chef"):
        for _ in range(5):
            add_response(db, rnd, {"STYR1": 4, "STYR2": 4}, role=role)
    for _ in range(2):
        add_response(db, rnd, {"STYR1": 1, "STYR2": None, "STYR3": None}, role="styrelse")
    styr = [s for s in scoring.dimension_stats(db, [rnd.id], 5, by="role") if s.dimension == "STYR"]
    assert sum(not s.suppressed for s in styr) == 1


def test_rounds_are_kept_apart(db, fixture_round):
    other = make_round(db, label="2025", state="published")
    for _ in range(5):
        add_response(db, other, {"STRAT1": 1, "STRAT2": 1, "STRAT3": 5, "STRAT4": 1})
    stats = scoring.dimension_stats(db, [fixture_round.id, other.id], k=5)
    by_round = {s.round_id: s for s in stats if s.dimension == "STRAT"}
    assert by_round[other.id].mean == pytest.approx(1.0)
    assert by_round[fixture_round.id].mean == pytest.approx(3.4)


def test_item_statistics(db, fixture_round):
    items = {s.item: s for s in scoring.item_stats(db, [fixture_round.id], k=5)}
    s1 = items["STRAT1"]  # raw 4, 5, 3, 2, 1, 2
    assert (s1.n, s1.answers, s1.dont_know_share) == (6, 6, 0.0)
    assert s1.mean == pytest.approx(17 / 6)
    assert s1.sd == pytest.approx(math.sqrt(sum((v - 17 / 6) ** 2 for v in (4, 5, 3, 2, 1, 2)) / 5))
    assert s1.distribution == (1, 2, 1, 1, 1)
    # STRAT3: 4 rated answers (2 "vet ej") — below k, so nothing but n.
    assert items["STRAT3"].n == 4 and items["STRAT3"].suppressed and items["STRAT3"].mean is None


# Cronbach's α: five complete respondents on four items (and one incomplete, left out).
ALPHA_DATA = [(1, 2, 1, 2), (2, 2, 3, 3), (3, 4, 3, 4), (4, 4, 5, 4), (5, 5, 4, 5)]
# Item variances 2.5 + 1.8 + 2.2 + 1.3 = 7.8; sum scores 6, 10, 14, 17, 19 → variance 27.7.
ALPHA = 4 / 3 * (1 - 7.8 / 27.7)


def test_cronbach_alpha_by_hand(db):
    rnd = make_round(db, state="published")
    for row in ALPHA_DATA:
        add_response(db, rnd, dict(zip(["STYR1", "STYR2", "STYR3", "STYR4"], row, strict=True)))
        # The same pattern in STRAT, with the reverse item STRAT3 answered the other way
        # round: α only comes out the same when it is recoded first.
        raw = (row[0], row[1], 6 - row[2], row[3])
        add_response(db, rnd, dict(zip(["STRAT1", "STRAT2", "STRAT3", "STRAT4"], raw, strict=True)))
    add_response(db, rnd, {"STYR1": 5, "STYR2": 1, "STYR3": None, "STYR4": 1})
    result = {r.dimension: r for r in reliability.cronbach_alpha(db, [rnd.id], k=5)}
    assert result["STYR"].n == 5 and result["STYR"].items == 4
    assert result["STYR"].alpha == pytest.approx(ALPHA)  # 0.9579
    assert result["STRAT"].alpha == pytest.approx(ALPHA)
    # The research export tallies α during its pass over the answers: the same figures.
    assert tallied_alpha(db, rnd) == reliability.cronbach_alpha(db, [rnd.id], k=5)
    strat3 = next(s for s in scoring.item_stats(db, [rnd.id], 5) if s.item == "STRAT3")
    assert strat3.mean == pytest.approx(3.2)  # recoded back to 1, 3, 3, 5, 4


def test_cronbach_alpha_needs_k_complete_respondents_and_variance(db):
    rnd = make_round(db, state="published")
    for row in ALPHA_DATA[:4]:
        add_response(db, rnd, dict(zip(["STYR1", "STYR2", "STYR3", "STYR4"], row, strict=True)))
    for _ in range(5):
        add_response(db, rnd, {"KUNS1": 3, "KUNS2": 3, "KUNS3": 3, "KUNS4": 3})
    result = {r.dimension: r for r in reliability.cronbach_alpha(db, [rnd.id], k=5)}
    assert result["STYR"].n == 4 and result["STYR"].alpha is None
    assert result["KUNS"].n == 5 and result["KUNS"].alpha is None  # no variance at all
    assert tallied_alpha(db, rnd) == reliability.cronbach_alpha(db, [rnd.id], k=5)


def tallied_alpha(db, rnd) -> list[reliability.Reliability]:
    """α of the round through `AlphaTally`, fed each response's raw answers."""
    q = definition_of(rnd.questionnaire)
    tally = reliability.AlphaTally(q, k=5)
    for response in db.scalars(select(models.Response).filter_by(round_id=rnd.id)):
        given = {a.item.code: a.value for a in response.answers}
        tally.add(rnd.id, [given.get(item.code) for item in q.items()])
    return [
        reliability.Reliability(r.round_id, r.dimension, r.n, r.items, pytest.approx(r.alpha))
        if r.alpha is not None
        else r
        for r in tally.results()
    ]


def test_national_reference_weights_each_association_equally(db, fixture_round):
    big = make_round(db, slug="storstad", state="published")
    for _ in range(6):
        add_response(db, big, {"STRAT1": 2, "STRAT2": 2, "STRAT3": 4, "STRAT4": 2})
    middle = make_round(db, slug="mellan", state="published")
    for _ in range(5):
        add_response(db, middle, {"STRAT1": 3, "STRAT2": 3, "STRAT3": 3, "STRAT4": 3})
    small = make_round(db, slug="liten", state="published")
    for _ in range(2):
        add_response(db, small, {"STRAT1": 5, "STRAT2": 5, "STRAT3": 1, "STRAT4": 5})
    ref = scoring.national_reference(db, "2026", "integrerad-samverkan", k=5, demo=False)["STRAT"]
    # (3.4 + 2.0 + 3.0) / 3, not (17 + 12 + 15) / 16; the suppressed förbund does not count.
    assert ref.mean == pytest.approx(2.8)
    assert ref.n_associations == 3


def test_overview_change_since_the_previous_round(db, fixture_round):
    earlier = make_round(db, label="2025", state="published", **A_YEAR_BEFORE)
    for _ in range(5):
        add_response(db, earlier, {"STRAT1": 3, "STRAT2": 3, "STRAT3": 3, "STRAT4": 3})
    for _ in range(2):
        add_response(db, earlier, {"STYR1": 3, "STYR2": 3})
    ov = overview.round_overview(db, fixture_round, 5, "sv")
    rows = {r.code: r for r in ov.rows}
    assert ov.previous_label == "2025"
    assert rows["STRAT"].previous_mean == pytest.approx(3.0)
    assert rows["STRAT"].change == pytest.approx(0.4)
    # STYR: suppressed in both rounds, so no difference is ever given.
    assert rows["STYR"].change is None and rows["STYR"].previous_mean is None
    assert [r.code for r in ov.biggest_changes()] == ["STRAT"]


def test_change_is_hidden_when_the_earlier_round_was_suppressed(db, fixture_round):
    earlier = make_round(db, label="2025", state="published", **A_YEAR_BEFORE)
    for _ in range(3):
        add_response(db, earlier, {"STRAT1": 3, "STRAT2": 3, "STRAT3": 3, "STRAT4": 3})
    row = next(
        r for r in overview.round_overview(db, fixture_round, 5, "sv").rows if r.code == "STRAT"
    )
    assert row.mean == pytest.approx(3.4)
    assert row.previous_mean is None and row.change is None


def test_the_statement_returns_one_aggregate_row_per_group(db, fixture_round):
    """The aggregation is one SQL statement; its rows are aggregates, never answer rows."""
    rows = db.execute(scoring.group_statistics_query([fixture_round.id])).all()
    assert len(rows) == 1  # only STRAT has answers
    assert db.scalar(select(models.Answer.value).limit(1)) is not None
