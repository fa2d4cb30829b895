"""An audit of what a published round states: every sum the published tables imply, as a
linear system over the hidden cells, and no hidden cell may be determined by it.

Attack 2 of the anonymity issue: a statement hidden at n = 3 was recovered exactly by
subtracting the other statements' distributions from the dimension's. And a role hidden
beside one shown role is the förbund's figure minus the shown one. The data below is made
so that naive suppression (hide only what is under k) leaks both ways.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import add_response, make_round
from conftest import signed_in

from survey.results import pages

K = 5
POINTS = range(5)


@pytest.fixture
def crafted(db):
    """Norrsund 2026, published: six handläggare and three chefs, all rating STRAT1–3,
    only three of them STRAT4 (the rest skip it)."""
    rnd = make_round(db, state="published")
    for person in range(9):
        answers = {"STRAT1": 1 + person % 5, "STRAT2": 2 + person % 4, "STRAT3": 3}
        if person < 3:
            answers["STRAT4"] = 5 - person
        add_response(db, rnd, answers, role="handlaggare" if person < 6 else "chef")
    return rnd


def determined(rows: list[list[float]], unknowns: int) -> list[bool]:
    """For each unknown, whether the equations fix it: its unit vector lies in their span."""
    a = np.array(rows, dtype=float).reshape(-1, unknowns)
    rank = np.linalg.matrix_rank(a) if len(rows) else 0
    return [
        np.linalg.matrix_rank(np.vstack([a, np.eye(unknowns)[i]])) == rank for i in range(unknowns)
    ]


def statement_equations(dimension, items) -> tuple[list[list[float]], int]:
    """Unknowns: the 1–5 counts of each hidden statement. Per point, the hidden statements
    sum to the dimension's count minus the shown ones; per hidden statement, its counts
    sum to its n (n is shown even where the figures are not)."""
    hidden = [row for row in items if row.stat.suppressed]
    if not hidden:
        return [], 0
    width = len(hidden) * 5
    rows = []
    if dimension.distribution is not None:
        for p in POINTS:
            rows.append([1.0 if i % 5 == p else 0.0 for i in range(width)])
    for h in range(len(hidden)):
        rows.append([1.0 if i // 5 == h else 0.0 for i in range(width)])
    return rows, width


def group_equations(table_rows, overall) -> tuple[list[list[float]], int]:
    """Unknowns: n × mean of each hidden group (a group's sum of scores). Per dimension, the
    hidden groups' sums are the förbund's n × mean minus the shown groups'."""
    hidden = [(r, i) for r, row in enumerate(table_rows) for i, c in enumerate(row) if c.suppressed]
    rows = []
    for r in range(len(table_rows)):
        if overall[r] is None:
            continue
        rows.append([1.0 if (rr == r) else 0.0 for rr, _i in hidden])
    return rows, len(hidden)


def test_no_hidden_statement_follows_from_the_published_distributions(app, db, crafted):
    page = pages.statements_page(db, "norrsund", "2026", K, "sv", None)
    strat = next(s for s in page.sections if s.dimension.code == "STRAT")
    stated = {row.code: row.stat for row in strat.items}
    assert stated["STRAT4"].suppressed and stated["STRAT4"].n == 3  # under k: hidden
    assert strat.dimension.distribution is not None  # the dimension itself is published
    hidden = [code for code, stat in stated.items() if stat.suppressed]
    assert len(hidden) >= 2, "one hidden statement is the dimension minus the others"
    rows, unknowns = statement_equations(strat.dimension, strat.items)
    assert not any(determined(rows, unknowns))
    # The JSON states the same dimension distribution the audit used.
    data = signed_in(app, app.test_client()).get("/f/norrsund/data.json?round=2026").get_json()
    json_strat = next(d for d in data["dimensions"] if d["code"] == "STRAT")
    assert tuple(json_strat["distribution"]) == strat.dimension.distribution


def test_no_hidden_role_follows_from_the_forbund_figure(app, db, crafted):
    report = pages.round_report(db, "norrsund", "2026", K, "sv", trend=False)
    overall = [row.mean for row in report.overview.rows]
    cells = [row.cells for row in report.by_role.rows]
    roles = [c.key for c in report.by_role.columns]
    chef = roles.index("chef")
    assert all(row[chef].suppressed for row in cells)  # three chefs: hidden
    rows, unknowns = group_equations(cells, overall)
    assert unknowns and not any(determined(rows, unknowns))


def test_the_audit_catches_naive_suppression():
    """The audit itself: one hidden statement beside a published dimension is determined."""

    class Stat:
        def __init__(self, suppressed):
            self.suppressed = suppressed

    class Row:
        def __init__(self, suppressed):
            self.stat = Stat(suppressed)

    class Dim:
        distribution = (1, 2, 3, 4, 5)

    rows, unknowns = statement_equations(Dim(), [Row(False), Row(False), Row(True)])
    assert all(determined(rows, unknowns))
    rows, unknowns = statement_equations(Dim(), [Row(False), Row(True), Row(True)])
    assert not any(determined(rows, unknowns))
