"""Which changes are real: every change between rounds and every gap between groups carries
a 95 % Welch interval (with the finite-population correction where the round's personal
links say how many were invited), and only a change whose interval excludes 0 is called
one. Ties are named together and figures round half away from zero. Checked by hand and
against scipy, and through the pages a board member reads."""

from __future__ import annotations

import math
import re
import statistics

import pytest
from board_html import figure_data, rows_by_key, tables
from builders import add_response, all_items, close_and_publish, invite, make_round
from conftest import signed_in
from exportdata import sheet_rows, workbook
from scipy import stats as scipy_stats

from survey.results import breakdowns, scoring
from survey.results.rounding import extremes, formatted, interval_text, rounded, same
from survey.results.uncertainty import Difference, Sample, t_quantile, welch
from survey.rounds import invitations

# --- the interval, by hand -------------------------------------------------------------------


@pytest.mark.parametrize("df", [1, 2, 3.5, 4, 9.7, 30, 47.25, 200, 10_000])
def test_t_quantile_matches_scipy(df):
    for p in (0.975, 0.95, 0.5, 0.025):
        assert t_quantile(p, df) == pytest.approx(scipy_stats.t.ppf(p, df), abs=1e-8)


def test_welch_interval_with_the_finite_population_correction_by_hand():
    # This round: n = 15 of N = 18 invited (83 %); the previous: n = 8 of N = 10 (80 %).
    now, before = [4, 4, 5, 3, 4, 5, 3, 4, 4, 4, 2, 2, 1, 3, 2], [2, 2, 3, 3, 2, 3, 3, 3]
    a = Sample(15, statistics.mean(now), statistics.variance(now), population=18)
    b = Sample(8, statistics.mean(before), statistics.variance(before), population=10)
    d = welch(a, b)
    # By hand: the textbook f = (N − n)/N with s² on each variance term (not the
    # (N − n)/(N − 1) of the population variance), Welch–Satterthwaite df.
    va = (18 - 15) / 18 * statistics.variance(now) / 15
    vb = (10 - 8) / 10 * statistics.variance(before) / 8
    df = (va + vb) ** 2 / (va**2 / 14 + vb**2 / 7)
    half = scipy_stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert d.estimate == pytest.approx(10 / 3 - 2.625)
    assert (d.low, d.high) == pytest.approx((d.estimate - half, d.estimate + half), abs=1e-9)
    assert d.clear and d.direction == 1
    # Without the correction (a shared link: N unknown) it is scipy's own Welch test.
    plain = welch(Sample(a.n, a.mean, a.variance), Sample(b.n, b.mean, b.variance))
    result = scipy_stats.ttest_ind(now, before, equal_var=False)
    ci = result.confidence_interval(0.95)
    assert (plain.low, plain.high) == pytest.approx((ci.low, ci.high), abs=1e-9)
    assert plain.high - plain.low > d.high - d.low  # the correction narrows it


def test_a_change_whose_interval_includes_zero_is_no_clear_change():
    noisy = welch(Sample(6, 3.3, 1.5), Sample(6, 3.0, 1.5))
    assert noisy.low < 0 < noisy.high and not noisy.clear and noisy.direction == 0
    fall = welch(Sample(40, 2.0, 0.2), Sample(40, 3.0, 0.2))
    assert fall.clear and fall.direction == -1
    # Everyone invited answered, in both rounds: the means are exact, so is the change.
    census = welch(Sample(5, 3.2, 0.7, population=5), Sample(5, 3.0, 0.5, population=5))
    assert (census.low, census.high) == (census.estimate, census.estimate) and census.clear
    nothing = welch(Sample(5, 3.0, 0.0), Sample(5, 3.0, 0.0))
    assert not nothing.clear


# --- ties and rounding ------------------------------------------------------------------------


def test_rounding_is_half_away_from_zero_and_ignores_float_noise():
    assert formatted(2.625, "sv") == "2,63"
    assert formatted(-2.625, "sv") == "−2,63"
    assert formatted(2.6249999999999996, "sv") == "2,63"  # 2.625 computed the long way
    assert formatted(1.9999999999999998, "sv") == "2,00"
    assert formatted(0.125, "en", sign=True) == "+0.13"
    assert formatted(-0.001, "sv", sign=True) == "0,00"  # no "−0,00"
    assert rounded(2.675) == 2.68  # f"{2.675:.2f}" would say 2.67
    assert same(1.9999999999999998, 2.0) and not same(1.99, 2.0)


def test_an_interval_end_that_rounds_to_zero_prints_zero_without_a_sign():
    # One number formatter: 0,00 is 0,00 whichever side it was rounded from (whether the
    # change is clear is said in words and by the arrow, not by the sign of a zero).
    assert interval_text(Difference(0.35, 0.003, 0.7), "sv") == "+0,35 (0,00 till +0,70)"
    assert interval_text(Difference(-0.35, -0.7, -0.002), "en") == "−0.35 (−0.70 to 0.00)"
    assert interval_text(Difference(0.0, -0.2, 0.2), "sv") == "0,00 (−0,20 till +0,20)"


def test_every_tied_group_is_named():
    columns = [breakdowns.Column(code, code.title(), i) for i, code in enumerate("abc")]

    def cell(group, mean):
        return scoring.GroupStat(1, "STRAT", group, 6, False, mean=mean, variance=0.5)

    gap = breakdowns.gap_between(
        columns, [cell("a", 1.9999999999999998), cell("b", 3.0), cell("c", 2.0)]
    )
    assert gap.highs == ("B",) and gap.lows == ("A", "C")
    assert gap.low == "A, C" and gap.difference == pytest.approx(1.0)
    assert extremes(
        [("x", 2.0), ("y", 1.9999999999999998), ("z", 1.5)], lambda r: r[1], lowest=False
    ) == [("x", 2.0), ("y", 1.9999999999999998)]


# --- through the pages ------------------------------------------------------------------------

#: Respondents' STRAT and STYR scores (every other dimension is 3 for everyone).
STRAT_2025 = [2, 2, 3, 3, 2, 3, 3, 3]  # mean exactly 2.625
STYR_2025 = [1, 5, 3, 2, 4, 3, 5, 1]
STRAT_2026 = {
    "handlaggare": [4, 4, 5, 3, 4],  # 4.0
    "chef": [5, 3, 4, 4, 4],  # 4.0: tied with the case workers
    "styrelse": [2, 2, 1, 3, 2],  # 2.0
}
STYR_2026 = [2, 5, 4, 1, 5, 3, 4, 2, 3, 4, 1, 5, 3, 2, 4]


def answers(db, rnd, strat, styr):
    def value(item):
        score = {"STRAT": strat, "STYR": styr}.get(item.code.rstrip("0123456789"), 3)
        return 6 - score if item.reverse else score

    return all_items(db, rnd, value)


@pytest.fixture
def two_rounds(db):
    """Norrsund: 2025 with 8 answers of 10 personal links, 2026 with 15 of 20."""
    old = make_round(db, label="2025")
    invite(db, old, 10)
    for strat, styr in zip(STRAT_2025, STYR_2025, strict=True):
        add_response(db, old, answers(db, old, strat, styr))
    close_and_publish(db, old)
    new = make_round(db, label="2026")
    invite(db, new, 20)
    styr = iter(STYR_2026)
    for role, scores in STRAT_2026.items():
        for strat in scores:
            add_response(db, new, answers(db, new, strat, next(styr)), role=role)
    close_and_publish(db, new)
    return old, new


def correction(n, invited):
    """(N − n)/N where at least 80 % of the N invited answered, else none (f = 1)."""
    return (invited - n) / invited if n >= 0.8 * invited else 1.0


def by_hand(now, before, invited_now, invited_before):
    """The change and its interval as this test computes it: Welch with the correction."""
    va = correction(len(now), invited_now) * statistics.variance(now) / len(now)
    vb = correction(len(before), invited_before) * statistics.variance(before) / len(before)
    df = (va + vb) ** 2 / (va**2 / (len(now) - 1) + vb**2 / (len(before) - 1))
    half = scipy_stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    d = statistics.mean(now) - statistics.mean(before)
    return d, d - half, d + half


def sv_signed(x: float) -> str:
    return formatted(x, "sv", sign=True)


def test_the_dashboard_calls_a_change_a_change_only_when_its_interval_excludes_zero(
    app, client, two_rounds
):
    board = signed_in(app, client, role="board", forbund="norrsund")
    html = board.get("/f/norrsund?round=2026").text
    table = rows_by_key(tables(html)["dimension-table"])
    strat_now = [s for scores in STRAT_2026.values() for s in scores]
    d, low, high = by_hand(strat_now, STRAT_2025, 20, 10)
    assert low > 0  # a clear rise
    assert table["Strategi och långsiktighet"][2] == (
        f"▲ {sv_signed(d)} ({sv_signed(low)} till {sv_signed(high)})"
    )
    d, low, high = by_hand(STYR_2026, STYR_2025, 20, 10)
    assert low < 0 < high
    assert table["Styrning och mandat"][2] == (
        f"ingen säker förändring {sv_signed(d)} ({sv_signed(low)} till {sv_signed(high)})"
    )
    # The summary counts only the clear change: not "10 of 10 rose".
    summary = " ".join(html.split())
    assert "1 av 10 jämförbara dimensioner säkert gått upp och 0 säkert gått ner" in summary
    assert "Störst ökning: Strategi och långsiktighet (+0,71" in summary
    # The previous round's STRAT mean is exactly 2.625: shown as 2,63.
    trend = rows_by_key(tables(html)["trend-table"])
    assert trend["Strategi och långsiktighet"][0] == "2,63 (n = 8)"
    # …and so does the board's workbook: the same rounding, in the cell itself.
    book = workbook(board.get("/export/norrsund/2026.xlsx").data)
    sheet = sheet_rows(book, "Norrsund samordningsförbund")
    strat = next(r for r in sheet if r[0] == "Strategi och långsiktighet")
    assert strat[1:3] == (2.63, 8)
    # The change chart: the estimate with its interval as error bars.
    change = figure_data(html, "change")
    clear, unclear = change["data"]
    assert clear["name"] == "säker förändring" and unclear["name"] == "ingen säker förändring"
    strat = clear["y"].index("Strategi och långsiktighet")
    assert clear["x"][strat] == pytest.approx(d_strat := 10 / 3 - 2.625)
    _, low, high = by_hand(strat_now, STRAT_2025, 20, 10)
    assert clear["error_x"]["array"][strat] == pytest.approx(high - d_strat)
    assert clear["error_x"]["arrayminus"][strat] == pytest.approx(d_strat - low)
    assert unclear["x"][strat] is None and clear["x"][1] is None  # STYR: not clear


def test_largest_difference_names_every_tied_role_with_its_interval(app, client, two_rounds):
    board = signed_in(app, client, role="board", forbund="norrsund")
    html = board.get("/f/norrsund?round=2026").text
    roles = rows_by_key(tables(html)["roles-table"])
    gap = roles["Strategi och långsiktighet"][-1]
    # 4.0 (case workers and managers, tied) against 2.0 (board members), no correction:
    # the number invited per role is unknown.
    highs = STRAT_2026["handlaggare"]
    result = scipy_stats.ttest_ind(highs, STRAT_2026["styrelse"], equal_var=False)
    ci = result.confidence_interval(0.95)
    widest = max(
        (
            scipy_stats.ttest_ind(
                STRAT_2026[r], STRAT_2026["styrelse"], equal_var=False
            ).confidence_interval(0.95)
            for r in ("handlaggare", "chef")
        ),
        key=lambda c: c.high - c.low,
    )
    assert ci.low > 0
    assert gap.startswith(f"+2,00 ({sv_signed(widest.low)} till {sv_signed(widest.high)})")
    assert gap.endswith(
        "Handläggare / medarbetare i insats, Chef i första linjen – Styrelseledamot"
    )
    summary = " ".join(html.split())
    assert (
        "skiljer sig synen mest för Strategi och långsiktighet: Handläggare / medarbetare"
        " i insats, Chef i första linjen 4,00 mot Styrelseledamot 2,00" in summary
    )
    assert html.count("Största skillnad: den högsta minus den lägsta visade gruppen") == 2


def test_the_statement_page_shows_a_reverse_statements_answers_as_given(app, client, two_rounds):
    board = signed_in(app, client, role="board", forbund="norrsund")
    html = board.get("/f/norrsund/items?round=2026&dimension=STRAT").text
    row = rows_by_key(tables(html)["items-STRAT-table"])
    strat3 = next(v for k, v in row.items() if k.startswith("STRAT3"))
    # STRAT3 is reversed: a score of 4 was answered 2. Raw answers: 1 ×2, 2 ×6, 3 ×3,
    # 4 ×3, 5 ×1 of 15 — 40 % answered "Instämmer till liten del".
    assert strat3[3:8] == ["13 %", "40 %", "20 %", "20 %", "7 %"]
    fig = figure_data(html, "items-STRAT")
    bar = next(i for i, y in enumerate(fig["data"][0]["y"]) if y.startswith("STRAT3"))
    assert "(omvänd)" in fig["data"][0]["y"][bar].replace("<br>", " ")
    given = {t["name"]: t["customdata"][bar][0] for t in fig["data"]}
    assert given["2 Instämmer till liten del"] == pytest.approx(6 / 15)
    assert given["4 Instämmer till stor del"] == pytest.approx(3 / 15)
    assert fig["layout"]["legend"]["title"]["text"] == "Svaren som de gavs (inte omkodade)"
    # A statement that is not reversed is the same either way: STRAT1's 4 is a 4.
    strat1 = next(v for k, v in row.items() if k.startswith("STRAT1"))
    assert strat1[3:8] == ["7 %", "20 %", "20 %", "40 %", "13 %"]
    # The dashboard's recoded distribution says so in its legend.
    dashboard = board.get("/f/norrsund?round=2026").text
    legend = figure_data(dashboard, "distribution")["layout"]["legend"]["title"]["text"]
    assert legend.startswith("Omkodade svar")


def test_an_association_with_two_answers_gets_sentences_not_empty_charts(app, client, db):
    rnd = make_round(db, slug="liten", label="2026")
    for _ in range(2):
        add_response(db, rnd, all_items(db, rnd, lambda item: 3))
    close_and_publish(db, rnd)
    board = signed_in(app, client, role="board", forbund="liten")
    html = board.get("/f/liten").text
    assert re.findall(r'<script type="application/json" id="([^"]+)-figure">', html) == []
    for sentence in (
        "För få svar för att visa dimensionerna: färre än 5 svarande.",
        "För få svar för att visa omgångarna: färre än 5 svarande.",
        "För få svar för att visa någon roll: färre än 5 svarande.",
        "För få svar för att visa någon part: färre än 5 svarande.",
        "För få svar för att visa hur man svarade: färre än 5 svarande.",
        "Det här är den första omgången, så det finns ännu inget att jämföra med.",
    ):
        assert sentence in html, sentence
    items = board.get("/f/liten/items?dimension=STRAT").text
    assert "För få svar för att visa påståendena i Strategi och långsiktighet" in items


def test_the_number_invited_is_known_from_personal_links_only(db):
    """N for the correction: a round's personal links; unknown once it has a shared link
    (anyone with it could answer), and unknown for a role (nobody counts who was invited
    in which role)."""
    personal = make_round(db, slug="norrsund", label="2026")
    invite(db, personal, 12)
    shared = make_round(db, slug="sydkust", label="2026")
    invite(db, shared, 12)
    invitations.create_shared_link(db, shared)
    db.commit()
    for rnd in (personal, shared):
        for _ in range(5):
            add_response(db, rnd, all_items(db, rnd, lambda item: 3))
        close_and_publish(db, rnd)
    stats = scoring.dimension_stats(db, [personal.id, shared.id], 5)
    assert {s.population for s in stats if s.round_id == personal.id} == {12}
    assert {s.population for s in stats if s.round_id == shared.id} == {None}
    by_role = scoring.dimension_stats(db, [personal.id], 5, by="role")
    assert {s.population for s in by_role} == {None}
    items = scoring.item_stats(db, [personal.id, shared.id], 5)
    assert {(s.round_id, s.population) for s in items} == {(personal.id, 12), (shared.id, None)}
