"""Our SQL aggregation (`scoring.dimension_stats`) against two baselines, in the same
process, on synthetic data of national size, on SQLite and PostgreSQL:

- **raw SQL**: a hand-written two-level query (per respondent × dimension, then per round ×
  dimension) computing only n and the mean: the floor (ours also computes SD, median, the
  1–5 distribution, the "vet ej" share, the totals for complementary suppression and the
  publication gate);
- **pandas**: every answer row read with `pandas.read_sql` and the same statistics
  computed with `groupby` (what an analyst would write; what the SQL aggregation replaces).

    python bench/aggregation.py [--full] [--sizes 125000,250000,500000]
                                [--database sqlite|postgresql|both] [--repeat 3]

By default three reduced sizes (125k, 250k and 500k answers); `--full` 1M and 4M answers
(the issue's national ten years). Data are written in bulk (executemany on SQLite, COPY on
PostgreSQL): förbund × yearly rounds of ~110 respondents answering the 40 statements of
questionnaire v1 (5 % "vet ej", 2 % skipped), every round published but one open round per
förbund (the gate must keep it out). Each method runs `--repeat` times, interleaved; the
median is kept. Lines `FIGURE key ours=… baseline=…:… ratio=… goal=…` are what
`python -m bench` collects; growth is the time per million answers at each size. With
PostgreSQL, EXPLAIN (ANALYZE, BUFFERS) of our statement shows whether any sort or hash
went to disk (`temp written`).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.engine import Engine

from survey.db import models, planner
from survey.db.engine import make_engine, session_factory
from survey.db.models import RoundState
from survey.db.schema import create_schema
from survey.instruments.catalog import load_directory
from survey.results import scoring

ROOT = Path(__file__).resolve().parent.parent
#: A server to make a database of our own on (dropped at the end).
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/postgres")
QUESTIONNAIRE = ("integrerad-samverkan", 1)
RESPONDENTS = 110  # per round: a förbund's yearly round
ROLES = ["handlaggare", "chef", "beredningsgrupp", "styrelse", "forbundskansli", "annan"]
AGENCIES = ["fk", "af", "kommun", "region", "forbund", "annan"]

#: The floor: two levels, n and mean only, nothing else (no gate, no distribution).
RAW_SQL = """
SELECT round_id, dimension, COUNT(*) AS n, AVG(score) AS mean FROM (
  SELECT r.id AS response_id, r.round_id, d.code AS dimension,
         AVG(CAST(CASE WHEN i.reverse THEN 6 - a.value ELSE a.value END AS FLOAT)) AS score,
         COUNT(a.value) AS answered, MAX(ipd.n_items) AS n_items
  FROM response r
  JOIN answer a ON a.round_id = r.round_id AND a.response_id = r.id
  JOIN item i ON i.id = a.item_id
  JOIN dimension d ON d.id = i.dimension_id
  JOIN (SELECT dimension_id, COUNT(*) AS n_items FROM item
        WHERE kind = 'statement' GROUP BY dimension_id) ipd
    ON ipd.dimension_id = i.dimension_id
  WHERE i.kind = 'statement'
  GROUP BY r.id, r.round_id, d.code
  HAVING 2 * COUNT(a.value) >= MAX(ipd.n_items)
) s GROUP BY round_id, dimension
"""

#: What pandas reads: one row per answer of a published round.
ROWS_SQL = """
SELECT r.id AS response_id, r.round_id, d.code AS dimension, ipd.n_items,
       CASE WHEN i.reverse THEN 6 - a.value ELSE a.value END AS value
FROM response r
JOIN answer a ON a.round_id = r.round_id AND a.response_id = r.id
JOIN item i ON i.id = a.item_id
JOIN dimension d ON d.id = i.dimension_id
JOIN (SELECT dimension_id, COUNT(*) AS n_items FROM item
      WHERE kind = 'statement' GROUP BY dimension_id) ipd
  ON ipd.dimension_id = i.dimension_id
JOIN round ro ON ro.id = r.round_id
WHERE i.kind = 'statement' AND ro.state = 'published'
"""


def with_pandas(engine: Engine) -> pd.DataFrame:
    """n, mean, SD, median and the 1–5 distribution per round × dimension, in pandas."""
    with engine.connect() as conn:
        rows = pd.read_sql(text(ROWS_SQL), conn)
    per = rows.groupby(["round_id", "dimension", "response_id"]).agg(
        score=("value", "mean"), rated=("value", "count"), n_items=("n_items", "max")
    )
    kept = per[2 * per["rated"] >= per["n_items"]]
    stats = kept.groupby(["round_id", "dimension"])["score"].agg(["count", "mean", "std", "median"])
    counts = rows.groupby(["round_id", "dimension"])["value"].value_counts().unstack(fill_value=0)
    return stats.join(counts)


def build(engine: Engine, answers: int, seed: int = 1) -> dict:
    """Förbund × yearly rounds of RESPONDENTS each until `answers` answers are written."""
    rng = random.Random(seed)
    models.Base.metadata.drop_all(engine)
    create_schema(engine)
    with session_factory(engine)() as session:
        load_directory(session, ROOT / "questionnaires")
        key, version = QUESTIONNAIRE
        q = session.scalar(select(models.Questionnaire).filter_by(key=key, version=version))
        items = session.execute(
            select(models.Item.id, models.Item.reverse).where(
                models.Item.dimension_id.in_(
                    select(models.Dimension.id).where(models.Dimension.questionnaire_id == q.id)
                ),
                models.Item.kind == "statement",
            )
        ).all()
        rounds_needed = -(-answers // (RESPONDENTS * len(items)))
        associations = max(1, min(83, rounds_needed // 10 or 1))
        years = -(-rounds_needed // associations)
        round_rows = []
        for a in range(associations):
            assoc = models.Association(slug=f"f{a}", name=f"Förbund {a}")
            session.add(assoc)
            session.flush()
            for y in range(years + 1):  # the last year is open
                state = RoundState.OPEN if y == years else RoundState.PUBLISHED
                rnd = models.Round(
                    association_id=assoc.id, questionnaire_id=q.id, label=str(2000 + y),
                    sequence=y + 1, state=state,
                )  # fmt: skip
                session.add(rnd)
                round_rows.append(rnd)
        session.commit()
        round_ids = [r.id for r in round_rows]
    responses, answer_rows = [], []
    written = 0
    for index, round_id in enumerate(round_ids):
        published = (index + 1) % (years + 1) != 0
        if published and written >= answers:
            continue
        level = rng.gauss(3.2, 0.4)
        for _ in range(rng.randint(RESPONDENTS - 20, RESPONDENTS + 20)):
            key = models.random_key()
            responses.append((key, round_id, "sv", rng.choice(ROLES), rng.choice(AGENCIES)))
            for item_id, _reverse in items:
                draw = rng.random()
                if draw < 0.02:
                    continue
                value = None if draw < 0.07 else min(5, max(1, round(rng.gauss(level, 1))))
                answer_rows.append((round_id, key, item_id, value))
            written += len(items) if published else 0
    _insert(engine, responses, answer_rows)
    return {"rounds": len(round_ids), "responses": len(responses), "answers": len(answer_rows)}


def _answer_columns(engine: Engine) -> list[str]:
    return [c.name for c in models.Answer.__table__.columns]


def _insert(engine: Engine, responses: list[tuple], answers: list[tuple]) -> None:
    """Bulk writes: executemany on SQLite, COPY on PostgreSQL."""
    columns = _answer_columns(engine)
    rows = [
        tuple({"round_id": r, "response_id": k, "item_id": i, "value": v}[c] for c in columns)
        for r, k, i, v in answers
    ]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            _copy(cur, "response (id, round_id, language, role, agency)", responses)
            _copy(cur, f"answer ({', '.join(columns)})", rows)
        else:
            cur.executemany(
                "INSERT INTO response (id, round_id, language, role, agency) "
                "VALUES (?, ?, ?, ?, ?)",
                responses,
            )
            marks = ", ".join("?" * len(columns))
            cur.executemany(f"INSERT INTO answer ({', '.join(columns)}) VALUES ({marks})", rows)
        raw.commit()
    finally:
        raw.close()
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")


def _copy(cur, target: str, rows: list[tuple]) -> None:
    with cur.copy(f"COPY {target} FROM STDIN") as copy:
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(r"\N" if v is None else str(v) for v in row) + "\n")
            if buffer.tell() > 1 << 22:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def interleaved(methods: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median seconds of each method, run in turn `repeat` times (after one warm-up): wall
    time under its name and this process's CPU time under `<name>_cpu` (on SQLite all of
    the work; on a shared machine steadier than wall time)."""
    times: dict[str, list[float]] = {}
    for fn in methods.values():
        fn()
    for _ in range(repeat):
        for name, fn in methods.items():
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            times.setdefault(name, []).append(time.perf_counter() - start)
            times.setdefault(f"{name}_cpu", []).append(time.process_time() - cpu)
    return {name: statistics.median(t) for name, t in times.items()}


def no_spill(engine: Engine, round_ids: list[int]) -> str:
    """PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) of our statement: disk use of sorts/hashes."""
    stmt = scoring.group_statistics_query(round_ids)
    compiled = stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    with session_factory(engine)() as session, planner.aggregate_settings(session, len(round_ids)):
        explain = f"EXPLAIN (ANALYZE, BUFFERS) {compiled}"
        plan = [r[0] for r in session.connection().exec_driver_sql(explain)]
    disk = sorted({line.strip() for line in plan if "Disk" in line or "temp written" in line})
    peak = max(
        (int(m) for m in re.findall(r"Memory(?: Usage)?: (\d+)kB", "\n".join(plan))), default=0
    )
    found = "no sort or hash on disk" if not disk else "on disk: " + "; ".join(disk)
    return f"{found}; largest sort or hash in memory {peak} kB"


def measure(url: str, answers: int, repeat: int) -> dict:
    engine = make_engine(url)
    start = time.perf_counter()
    info = build(engine, answers)
    info["build_s"] = time.perf_counter() - start
    sessions = session_factory(engine)
    with sessions() as session:
        round_ids = list(session.scalars(select(models.Round.id)))
        session.scalar(select(func.count()).select_from(models.Answer))

        def ours():
            with sessions() as s:
                return scoring.dimension_stats(s, round_ids, k=5)

        def raw():
            with engine.connect() as conn:
                return conn.execute(text(RAW_SQL)).all()

        times = interleaved(
            {"ours": ours, "raw": raw, "pandas": lambda: with_pandas(engine)}, repeat
        )
    info.update(times)
    info["database"] = engine.dialect.name
    if engine.dialect.name == "postgresql":
        info["spill"] = no_spill(engine, round_ids)
    engine.dispose()
    return info


def figure(key: str, ours: float, name: str, base: float, goal: str) -> None:
    print(
        f"FIGURE {key} ours={ours:.3f} s baseline={name}:{base:.3f} s "
        f"ratio={ours / base:.2f} goal={goal}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="1M and 4M answers")
    parser.add_argument("--sizes", default=None, help="answers, comma-separated")
    parser.add_argument("--database", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or "").split(",") if s] or (
        [1_000_000, 4_000_000] if args.full else [125_000, 250_000, 500_000]
    )
    tmp = tempfile.mkdtemp()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    urls = {"sqlite": f"sqlite:///{tmp}/bench.db"}
    if "postgresql" in databases:
        urls["postgresql"] = own_database(PG_SERVER, f"bench_aggregation_{os.getpid()}")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for db in databases:
        first = None
        for size in sizes:
            info = measure(urls[db], size, args.repeat)
            label = f"{size / 1e6:g}M" if size >= 1e6 else f"{size // 1000}k"
            print(
                f"{db} {label}: {info['rounds']} rounds, {info['responses']} responses, "
                f"{info['answers']} answers (built in {info['build_s']:.0f} s); "
                f"ours {info['ours']:.3f} s, raw SQL {info['raw']:.3f} s, "
                f"pandas {info['pandas']:.3f} s; load {os.getloadavg()[0]:.1f}"
            )
            if "spill" in info:
                print(f"{db} {label}: EXPLAIN ANALYZE of ours: {info['spill']}")
            key = f"aggregation.{db}.{label}"
            figure(f"{key}.vs_raw_sql", info["ours"], "raw_sql", info["raw"], "<=1.2")
            figure(f"{key}.vs_pandas", info["ours"], "pandas", info["pandas"], "<=1.0")
            # SQLite works in this process: its CPU time is the steadier measure.
            cost = info["ours_cpu"] if db == "sqlite" else info["ours"]
            if db == "sqlite":
                print(
                    f"{db} {label}: CPU time ours {info['ours_cpu']:.3f} s, raw SQL "
                    f"{info['raw_cpu']:.3f} s, pandas {info['pandas_cpu']:.3f} s"
                )
                cpu = (info["ours_cpu"], info["raw_cpu"], info["pandas_cpu"])
                figure(f"{key}.cpu.vs_raw_sql", cpu[0], "raw_sql", cpu[1], "<=1.2")
                figure(f"{key}.cpu.vs_pandas", cpu[0], "pandas", cpu[2], "<=1.0")
            per_million = cost / info["answers"] * 1e6
            first = first or (label, per_million)
            unit = "CPU s/1M answers" if db == "sqlite" else "s/1M answers"
            print(
                f"FIGURE {key}.growth ours={per_million:.3f} {unit} "
                f"baseline={first[0]}:{first[1]:.3f} {unit} "
                f"ratio={per_million / first[1]:.2f} goal=~1.0 (linear)"
            )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if "postgresql" in urls:
        own_database(PG_SERVER, make_url(urls["postgresql"]).database, drop=True)


def own_database(server: str, name: str, drop: bool = False) -> str:
    """Create (or drop) a database of this run's own on the server; its URL."""
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
