"""`scoring.dimension_stats` (one pass over the answers' key, the median as an aggregate)
gives the figures of a plain computation over the answer rows, group for group, on
generated data (the demo: three versions of the questionnaire, reverse statements, "vet
ej", skipped statements, level questions that are never scored), by role and agency with
merged groups too, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

import pytest
from conftest import demo_module_app
from sqlalchemy import select, text

from survey.db import models, planner
from survey.results import scoring

K = 3
MERGED = {"beredningsgrupp": "chef", "forbundskansli": "chef"}


def by_hand(db, round_ids: list[int], by: str | None, groups: dict[str, str]) -> dict:
    """(round, dimension, group) → n, mean, SD, median, distribution, answers, from rows."""
    rows = db.execute(
        select(
            models.Response.id,
            models.Response.round_id,
            models.Response.role,
            models.Response.agency,
            models.Dimension.code,
            models.Dimension.id,
            models.Item.reverse,
            models.Answer.value,
        )
        .join(models.Answer, models.answers_of_response())
        .join(models.Item, models.Item.id == models.Answer.item_id)
        .join(models.Dimension, models.Dimension.id == models.Item.dimension_id)
        .where(models.Response.round_id.in_(round_ids), models.Item.kind == "statement")
    ).all()
    statements = defaultdict(int)
    for item in db.scalars(select(models.Item).where(models.Item.kind == "statement")):
        statements[item.dimension_id] += 1
    people: dict = defaultdict(list)
    for rid, round_id, role, agency, dim, dim_id, reverse, value in rows:
        group = {"role": role, "agency": agency}.get(by)
        group = groups.get(group, group) if group is not None else None
        people[(round_id, dim, group, rid, statements[dim_id])].append(
            None if value is None else 6 - value if reverse else value
        )
    found: dict = defaultdict(lambda: {"scores": [], "counts": [0] * 6})
    for (round_id, dim, group, _rid, size), values in people.items():
        cell = found[(round_id, dim, group)]
        rated = [v for v in values if v is not None]
        for v in values:
            cell["counts"][v or 0] += 1
        if rated and 2 * len(rated) >= size:
            cell["scores"].append(sum(rated) / len(rated))
    return found


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_app(request, tmp_path_factory, postgres_url):
    """The demo dataset (its later rounds on the newest version), once per database."""
    app = demo_module_app(request.param, tmp_path_factory.mktemp("agg"), postgres_url)
    yield app
    app.extensions["survey_engine"].dispose()


@pytest.fixture
def db(demo_app):
    with demo_app.extensions["survey_sessions"]() as session:
        yield session


@pytest.mark.parametrize("streamed", [False, True], ids=["few-rounds", "many-rounds"])
@pytest.mark.parametrize("by", [None, "role", "agency"])
def test_dimension_stats_equal_a_plain_computation(db, by, streamed, monkeypatch):
    """`many-rounds`: as over more than FEW_ROUNDS rounds (PostgreSQL's statement-level
    settings, put back afterwards)."""
    if streamed:
        monkeypatch.setattr(planner, "FEW_ROUNDS", 0)
    published = list(
        db.scalars(select(models.Round.id).where(models.Round.state == models.RoundState.PUBLISHED))
    )
    everything = list(db.scalars(select(models.Round.id)))  # the open rounds too: gated
    groups = MERGED if by == "role" else {}
    stats = scoring.dimension_stats(db, everything, K, by=by, groups=groups)
    expected = by_hand(db, published, by, groups)
    assert {(s.round_id, s.dimension, s.group) for s in stats} == set(expected)
    shown = 0
    for s in stats:
        cell = expected[(s.round_id, s.dimension, s.group)]
        scores = cell["scores"]
        assert s.n == len(scores)
        if s.suppressed:
            continue
        shown += 1
        assert s.distribution == tuple(cell["counts"][1:])
        assert s.answers == sum(cell["counts"])
        assert s.dont_know_share == pytest.approx(cell["counts"][0] / s.answers, abs=1e-12)
        assert s.median == statistics.median(scores)  # exactly: the same two middle values
        assert math.isclose(s.mean, statistics.fmean(scores), rel_tol=1e-12)
        if len(scores) > 1:
            assert math.isclose(s.sd, statistics.stdev(scores), rel_tol=1e-9, abs_tol=1e-12)
    assert shown > 20  # most groups are shown: the comparison is not vacuous
    if db.get_bind().dialect.name == "postgresql":  # the statement's settings are undone
        assert db.execute(text("SELECT current_setting('enable_hashagg')")).scalar() == "on"
        assert db.execute(text("SELECT current_setting('work_mem')")).scalar() == "4MB"
