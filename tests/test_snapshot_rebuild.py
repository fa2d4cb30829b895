"""The publication snapshot made again: `survey figures rebuild` (after a restore, an
import or a bulk load), migration 0013 (rounds published before it) and migration 0019
(the levels of snapshots made before they were kept), on SQLite and PostgreSQL. (Apart
from tests/test_snapshot.py, whose module-wide demo database the function-scoped `app`
would reset.)"""

from __future__ import annotations

from alembic import command
from builders import add_response, all_items, close_and_publish, make_round
from sqlalchemy import delete, func, select

from survey.db import migrations, models
from survey.disclosure import DEFAULT_K
from survey.maturity import level_figures, levels
from survey.results import snapshot


def test_figures_rebuild_command_and_restore_bring_the_snapshot_back(app, runner, db):
    for slug in ("gen-a", "gen-b"):
        rnd = make_round(db, slug, "2025")
        for value in (1, 2, 3, 4, 5, 3):
            add_response(db, rnd, all_items(db, rnd, lambda _i, v=value: v))
        close_and_publish(db, rnd)
    assert db.scalar(select(func.count()).select_from(models.FigureSnapshot)) == 2
    db.execute(delete(models.SnapshotFigure))
    db.execute(delete(models.FigureSnapshot))
    db.commit()
    result = runner.invoke(args=["figures", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "figures rebuilt for 2 published rounds" in result.output
    assert db.scalar(select(func.count()).select_from(models.FigureSnapshot)) == 2


def test_migration_0013_builds_the_snapshots_of_rounds_already_published(app, db):
    rnd = make_round(db, "gen-a", "2025")
    for value in (1, 2, 3, 4, 5, 3):
        add_response(db, rnd, all_items(db, rnd, lambda _i, v=value: v))
    close_and_publish(db, rnd)
    before = snapshot.dimension_stats(db, [rnd.id], DEFAULT_K)
    db.close()
    engine = app.extensions["survey_engine"]
    with engine.begin() as connection:
        command.downgrade(migrations.config(connection), "0014")  # to before 0013
    with engine.begin() as connection:
        command.upgrade(migrations.config(connection), "head")
    assert db.scalar(select(func.count()).select_from(models.FigureSnapshot)) == 1
    assert db.scalar(select(func.count()).select_from(models.SnapshotFigure)) > 0
    assert snapshot.dimension_stats(db, [rnd.id], DEFAULT_K) == before


def test_migration_0019_adds_the_levels_to_snapshots_already_made(app, db):
    rnd = make_round(db, "gen-a", "2025", version=3)  # version 3 asks the level question
    for value in (1, 2, 3, 4, 5, 3):
        add_response(db, rnd, all_items(db, rnd, lambda _i, v=value: v))
    close_and_publish(db, rnd)
    live = levels.level_stats(db, [rnd.id], DEFAULT_K, "want")
    level_rows = models.SnapshotFigure.kind.in_(list(level_figures.KINDS.values()))
    count = select(func.count()).select_from(models.SnapshotFigure).where(level_rows)
    assert db.scalar(count) > 0
    db.close()
    engine = app.extensions["survey_engine"]
    with engine.begin() as connection:
        command.downgrade(migrations.config(connection), "0013")
    assert db.scalar(count) == 0  # a snapshot made before the levels were kept
    db.close()
    with engine.begin() as connection:
        command.upgrade(migrations.config(connection), "head")
    assert db.scalar(count) > 0
    assert level_figures.level_stats(db, [rnd.id], DEFAULT_K, "want") == live
