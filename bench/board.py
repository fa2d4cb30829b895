"""A board dashboard's server time reading the publication snapshot, beside the raw SQL
floor, on a synthetic nation (80 förbund, 110 responses a round, every statement of the
first questionnaire answered, "vet ej" now and then), on SQLite and PostgreSQL.

    python bench/board.py [--full] [--database sqlite|postgresql|both]

Reduced (default): about 0.38M answers (one year). `--full`: 1M and 4M answers (three and
eleven years). Data goes in by bulk insert (executemany on SQLite, COPY on PostgreSQL),
then publishing's `level_figures.build` makes the snapshots the pages read (the förbund's rounds
and every round of the newest label; the time per round is printed).

What is timed: the page's service function `survey.results.pages.round_report` (what the
dashboard view and its JSON call: overview, trend over every earlier round, by role and
agency, national reference), and the maturity page's `survey.maturity.picture.
maturity_picture` (scores, the level rated now and wanted, by role, the national level),
each in a new session each time, median of 9 after a warm-up; no template rendering. The
newest year's rounds are asked with the newest questionnaire (which asks the level
question), the earlier ones with the first. Beside it:

- raw SQL floor: one hand-written two-level SQL computing only this round's dimension
  means from its answers (what any live page must at least do);
- live: the same service function with the snapshots dropped (as before issue 23).

Prints `FIGURE <key> ours=<v> ms baseline=<name>:<v> ms ratio=<x> goal=<text>` lines.
PostgreSQL: a scratch database `bench_board_<pid>` on 127.0.0.1 (BENCH_POSTGRES_URL to
point elsewhere), dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, delete, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey.db import models  # noqa: E402
from survey.db.engine import make_engine, session_factory  # noqa: E402
from survey.db.schema import create_schema  # noqa: E402
from survey.instruments.catalog import load_directory  # noqa: E402
from survey.maturity import level_figures, picture  # noqa: E402
from survey.results import pages  # noqa: E402

ASSOCIATIONS = 80
PER_ROUND = 110
K = 5
ROLES = ("handlaggare", "chef", "politiker", "samordnare", "annan")
AGENCIES = ("kommun", "region", "af", "fk")
FLOOR_SQL = """
SELECT dimension, COUNT(*) AS n, AVG(score) AS mean FROM (
  SELECT r.id, d.code AS dimension,
         AVG(CAST(CASE WHEN i.reverse THEN 6 - a.value ELSE a.value END AS FLOAT)) AS score
  FROM response r JOIN answer a ON a.response_id = r.id
  JOIN item i ON i.id = a.item_id JOIN dimension d ON d.id = i.dimension_id
  WHERE r.round_id = :rid
  GROUP BY r.id, d.code
  HAVING 2 * COUNT(a.value) >= 2
) s GROUP BY dimension
"""


def _database(kind: str, tmp: Path) -> tuple[str, object]:
    """A URL for an empty database, and what removes it afterwards."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'board.db'}", lambda: None
    base = os.environ.get(
        "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    name = f"bench_board_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return base.rsplit("/", 1)[0] + f"/{name}", drop


def _rounds(session, years: int) -> list[models.Round]:
    """Every förbund's rounds: the first questionnaire, and the newest for the newest year
    (version 3 on ask the level question: the maturity page's levels, now and wanted)."""
    load_directory(session, ROOT / "questionnaires")
    versions = list(
        session.scalars(select(models.Questionnaire).order_by(models.Questionnaire.version))
    )
    rounds = []
    for a in range(ASSOCIATIONS):
        assoc = models.Association(slug=f"f{a:02d}", name=f"Förbund {a:02d}")
        session.add(assoc)
        for y in range(years):
            year = 2026 - years + 1 + y
            rnd = models.Round(
                association=assoc,
                questionnaire=versions[-1] if y == years - 1 else versions[0],
                label=str(year),
                sequence=y + 1,
                state=models.RoundState.PUBLISHED,
                opens_on=dt.date(year, 3, 1),
                closes_on=dt.date(year, 4, 1),
            )
            session.add(rnd)
            rounds.append(rnd)
    session.commit()
    return rounds


def _fill(engine, session, rounds: list[models.Round]) -> int:
    """Responses and answers (statements and level questions) by bulk insert; returns the
    number of answers."""
    items: dict[int, list[int]] = {}
    for q in {r.questionnaire_id for r in rounds}:
        items[q] = list(session.scalars(select(models.Item.id).filter_by(questionnaire_id=q)))
    rng = random.Random(23)
    responses, answers = [], []
    for rnd in rounds:
        level = rng.gauss(3.2, 0.4)
        for _ in range(PER_ROUND):
            rid = models.random_key()
            responses.append((rid, rnd.id, "sv", rng.choice(ROLES), rng.choice(AGENCIES)))
            for item in items[rnd.questionnaire_id]:
                v = None if rng.random() < 0.05 else min(5, max(1, round(rng.gauss(level, 1))))
                answers.append((rnd.id, rid, item, v))
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "sqlite":
            cur.executemany(
                "INSERT INTO response (id, round_id, language, role, agency) VALUES (?,?,?,?,?)",
                responses,
            )
            cur.executemany(
                "INSERT INTO answer (round_id, response_id, item_id, value) VALUES (?,?,?,?)",
                answers,
            )
        else:
            with cur.copy("COPY response (id, round_id, language, role, agency) FROM STDIN") as c:
                for row in responses:
                    c.write_row(row)
            with cur.copy("COPY answer (round_id, response_id, item_id, value) FROM STDIN") as c:
                for row in answers:
                    c.write_row(row)
        raw.commit()
        if engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True
            raw.driver_connection.execute("VACUUM ANALYZE")
        else:
            raw.cursor().execute("ANALYZE")
    finally:
        raw.close()
    return len(answers)


def _median_ms(fn, repeat: int = 9) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(kind: str, answers_wanted: int, tmp: Path) -> None:
    years = max(1, math.ceil(answers_wanted / (ASSOCIATIONS * PER_ROUND * 43)))
    url, drop = _database(kind, tmp)
    engine = make_engine(url)
    try:
        create_schema(engine)
        sessions = session_factory(engine)
        with sessions() as session:
            start = time.perf_counter()
            rounds = _rounds(session, years)
            count = _fill(engine, session, rounds)
            made = time.perf_counter() - start
            newest = rounds[-1]
            slug, rid = newest.association.slug, newest.id
            # The snapshots the page reads: the förbund's rounds and every round of the
            # newest label (its national reference); the other rounds' change nothing.
            wanted = [
                r.id
                for r in rounds
                if r.label == newest.label or r.association_id == newest.association_id
            ]
            start = time.perf_counter()
            for round_id in wanted:
                level_figures.build(session, round_id, K)  # as publishing does
            session.commit()
            built = (time.perf_counter() - start) / len(wanted)
        size = f"{count / 1e6:.2f}M"
        print(
            f"# {kind} {size} answers, {len(rounds)} rounds: data {made:.0f} s; "
            f"a round's snapshot built in {built * 1000:.0f} ms ({len(wanted)} built); "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )

        _time_pages(sessions, kind, size, slug, rid)
    finally:
        engine.dispose()
        drop()


def _time_pages(sessions, kind: str, size: str, slug: str, rid: int) -> None:
    """The dashboard's and the maturity page's service functions from the snapshot beside
    the raw SQL floor, then computed live (the snapshot dropped): FIGURE lines."""

    def page() -> None:
        with sessions() as s:
            pages.round_report(s, slug, None, K, "sv")

    def maturity() -> None:
        with sessions() as s:
            picture.maturity_picture(s, slug, None, K, "sv")

    def floor() -> None:
        with sessions() as s:
            s.execute(text(FLOOR_SQL), {"rid": rid}).all()

    base = _median_ms(floor)
    kept = {"dashboard": _median_ms(page), "maturity": _median_ms(maturity)}
    for name, ms in kept.items():
        print(f"FIGURE board_{name}_{kind}_{size} ours={ms:.1f} ms "
              f"baseline=raw_sql_floor:{base:.1f} ms ratio={ms / base:.2f} "
              f"goal=<100 ms server time at 4M answers")  # fmt: skip
    with sessions() as session:
        session.execute(delete(models.SnapshotFigure))
        session.execute(delete(models.FigureSnapshot))
        session.commit()
    live = {"dashboard": _median_ms(page, repeat=3), "maturity": _median_ms(maturity, repeat=3)}
    for name, ms in live.items():
        print(f"FIGURE board_{name}_live_{kind}_{size} ours={ms:.1f} ms "
              f"baseline=snapshot_page:{kept[name]:.1f} ms ratio={ms / kept[name]:.1f} "
              f"goal=information (the page computed live, as before the snapshot)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="1M and 4M answers")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    sizes = [1_000_000, 4_000_000] if args.full else [370_000]
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for answers in sizes:
        for kind in kinds:
            with tempfile.TemporaryDirectory() as tmp:
                measure(kind, answers, Path(tmp))


if __name__ == "__main__":
    main()
