"""The level figures (issue 21) come from published rounds only, and the gate is inside the
statements themselves (`survey.results.gate.published`), as in scoring: a function asked
for the levels or the comments of an open or closed-but-unpublished round answers nothing,
and every output that shows levels reads the same after a submit in an open round and
after a round closes without being published."""

from __future__ import annotations

import pytest
from builders import answer_all, invite, make_round, rate_levels
from test_publication_gate import _api, _page, _research_rows, _sheets

from survey.maturity.comments import board_comments
from survey.maturity.levels import level_query, level_stats
from survey.rounds import lifecycle

K = 5


def _people(level: int) -> list[tuple[str, dict[str, int]]]:
    return [
        ("handlaggare", {"STRAT.NOW": 1 + (level + i) % 5, "STRAT.WANT": 5, "STYR.NOW": 3})
        for i in range(7)
    ]


@pytest.fixture
def world(db):
    """Norrsund, version 3: 2026 published, 2027 closed and never published, 2028 open."""
    rounds = {
        "2026": make_round(db, "norrsund", "2026", state="published", version=3),
        "2027": make_round(db, "norrsund", "2027", state="closed", version=3),
        "2028": make_round(db, "norrsund", "2028", state="open", version=3),
    }
    for level, rnd in enumerate(rounds.values()):
        rate_levels(db, rnd, _people(level))
    return rounds


def test_the_level_statements_read_nothing_of_an_unpublished_round(db, world):
    unseen = [world["2027"].id, world["2028"].id]
    for kind in ("now", "want"):
        assert db.execute(level_query(unseen, kind)).all() == []
        assert db.execute(level_query(unseen, kind, "role")).all() == []
        assert level_stats(db, unseen, K, kind) == []
        assert level_stats(db, unseen, K, kind, by="role") == []
    # The published round beside them still has its figures.
    shown = level_stats(db, [world["2026"].id, *unseen], K, "now")
    assert {s.round_id for s in shown} == {world["2026"].id}


def test_comments_of_an_unpublished_round_are_not_read(db, world):
    from builders import add_response

    for rnd in world.values():
        for i in range(K):
            add_response(db, rnd, {}, comments={"STRAT": f"Samverkan fungerar {i}."})
    assert board_comments(db, world["2026"].id, K)["STRAT"]
    assert board_comments(db, world["2027"].id, K) == {}
    assert board_comments(db, world["2028"].id, K) == {}


HTML = [
    "/f/norrsund/maturity?round=2026",
    "/f/norrsund?round=2026",
    "/f/norrsund/report?round=2026",
    "/admin/f/norrsund/rounds/2026/workshop",
]
WORKBOOKS = ["/export/board.xlsx?forbund=norrsund&round=2026", "/export/board.xlsx"]
RESEARCH = ["/export/research.csv?version=3"]
API = ["/api/v1/research/rows?version=3&per_page=500"]


def _levels_everywhere(app, client) -> dict[str, object]:
    seen: dict[str, object] = {url: _page(client, url) for url in HTML}
    seen.update({url: _sheets(client, url) for url in WORKBOOKS})
    seen.update({url: _research_rows(client, url) for url in RESEARCH})
    seen.update({url: _api(app, url) for url in API})
    return seen


def test_every_output_showing_levels_ignores_unpublished_rounds(app, db, admin_client, world):
    before = _levels_everywhere(app, admin_client)
    assert "Skattad nivå i dag" in before[HTML[0]]
    (token,) = invite(db, world["2028"])
    answer_all(app.test_client(), token, value=lambda code: "5")
    after_submit = _levels_everywhere(app, admin_client)
    lifecycle.close_round(world["2028"], world["2028"].closes_on)
    db.commit()
    after_close = _levels_everywhere(app, admin_client)
    for url in before:
        assert after_submit[url] == before[url], f"{url} changed after one submit"
        assert after_close[url] == before[url], f"{url} changed when a round closed"
    for label in ("2027", "2028"):
        page = admin_client.get(f"/f/norrsund/maturity?round={label}")
        assert "Skattad nivå i dag" not in page.text
        assert admin_client.get(f"/admin/f/norrsund/rounds/{label}/workshop").status_code == 409
