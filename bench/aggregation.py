"""Our SQL aggregation (scoring.dimension_stats) against two baselines on a synthetic
dataset, in the same process:

- a hand-written raw SQL query computing only the per-round dimension means (the floor:
  ours also computes SD, median, the 1–5 distribution, the "vet ej" share and totals);
- loading every answer row into Python and computing the same statistics there (what the
  SQL aggregation replaces).

    python bench/aggregation.py [--copies 4] [--database-url URL]

Prints the time of each and the ratios ours / raw SQL and ours / Python (1.0 = equal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select, text

from survey import demo
from survey.db import models
from survey.db.engine import make_engine, session_factory
from survey.db.schema import create_schema
from survey.instruments.catalog import load_directory
from survey.results import pages, reliability, scoring

ROOT = Path(__file__).resolve().parent.parent

RAW_SQL = """
SELECT round_id, dimension, COUNT(*) AS n, AVG(score) AS mean FROM (
  SELECT r.id AS response_id, r.round_id, d.code AS dimension,
         AVG(CAST(CASE WHEN i.reverse THEN 6 - a.value ELSE a.value END AS FLOAT)) AS score,
         COUNT(a.value) AS answered, MAX(ipd.n_items) AS n_items
  FROM response r
  JOIN answer a ON a.response_id = r.id
  JOIN item i ON i.id = a.item_id
  JOIN dimension d ON d.id = i.dimension_id
  JOIN (SELECT dimension_id, COUNT(*) AS n_items FROM item GROUP BY dimension_id) ipd
    ON ipd.dimension_id = i.dimension_id
  GROUP BY r.id, r.round_id, d.code
  HAVING 2 * COUNT(a.value) >= MAX(ipd.n_items)
) s GROUP BY round_id, dimension
"""


ROWS_SQL = """
SELECT r.id, r.round_id, r.role, d.code, i.reverse, a.value
FROM response r JOIN answer a ON a.response_id = r.id
JOIN item i ON i.id = a.item_id JOIN dimension d ON d.id = i.dimension_id
WHERE (CAST(:round_id AS INTEGER) IS NULL OR r.round_id = CAST(:round_id AS INTEGER))
"""


ITEMS_PER_DIMENSION = 4  # in the default instrument


def in_python(session, by_role: bool = False, round_id: int | None = None) -> dict:
    """The same statistics from answer rows loaded into Python: the approach we avoid."""
    answers: dict = defaultdict(list)
    rows = session.execute(text(ROWS_SQL), {"round_id": round_id})
    for rid, round_id, role, dim, reverse, value in rows:
        answers[(rid, round_id, role if by_role else None, dim)].append(
            None if value is None else (6 - value if reverse else value)
        )
    groups: dict = defaultdict(lambda: {"scores": [], "counts": [0] * 6})
    for (_rid, round_id, role, dim), values in answers.items():
        group = groups[(round_id, role, dim)]
        rated = [v for v in values if v is not None]
        for v in values:
            group["counts"][v or 0] += 1
        if 2 * len(rated) >= ITEMS_PER_DIMENSION:
            group["scores"].append(sum(rated) / len(rated))
    return {
        key: (
            len(g["scores"]),
            statistics.fmean(g["scores"]) if g["scores"] else None,
            statistics.stdev(g["scores"]) if len(g["scores"]) > 1 else None,
            statistics.median(g["scores"]) if g["scores"] else None,
            g["counts"],
        )
        for key, g in groups.items()
    }


def dashboard_figures(session, rnd) -> None:
    """What the dashboard computes for one förbund and round."""
    pages.round_report(session, rnd.association.slug, rnd.label, 5, "sv")


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=4, help="times to build the demo set")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    engine = make_engine(url)
    models.Base.metadata.drop_all(engine)
    create_schema(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        load_directory(session, ROOT / "questionnaires")
        q = session.scalar(select(models.Questionnaire))
        for copy in range(args.copies):
            result = demo.build_demo(session, q, dt.date.today(), seed=copy)
            # keep earlier copies: rename them so the next build does not replace them
            for assoc in session.scalars(select(models.Association).filter_by(is_demo=True)):
                assoc.is_demo = False
                assoc.slug = f"{assoc.slug}-{copy}"
        session.commit()
        round_ids = list(session.scalars(select(models.Round.id)))
        responses = session.query(models.Response).count()
        answers = session.query(models.Answer).count()
        ours = best_of(lambda: scoring.dimension_stats(session, round_ids, k=5))
        ours_role = best_of(lambda: scoring.dimension_stats(session, round_ids, k=5, by="role"))
        raw = best_of(lambda: session.execute(text(RAW_SQL)).all())
        python = best_of(lambda: in_python(session), repeat=3)
        python_role = best_of(lambda: in_python(session, by_role=True), repeat=3)
        alpha = best_of(lambda: reliability.cronbach_alpha(session, round_ids, k=5))
        items = best_of(lambda: scoring.item_stats(session, round_ids, k=5))
        one = round_ids[-1]
        ours_one = best_of(lambda: scoring.dimension_stats(session, [one], k=5, by="role"))
        python_one = best_of(lambda: in_python(session, by_role=True, round_id=one))
        rnd = session.get(models.Round, one)
        page = best_of(lambda: dashboard_figures(session, rnd))
    print(
        f"dataset: {len(round_ids)} rounds, {responses} responses, {answers} answers "
        f"({engine.dialect.name}); last demo build: {result.responses} responses"
    )
    print(f"scoring.dimension_stats:           {ours * 1000:7.1f} ms")
    print(f"scoring.dimension_stats by role:   {ours_role * 1000:7.1f} ms")
    print(f"raw SQL baseline (means only):     {raw * 1000:7.1f} ms")
    print(f"rows loaded into Python:           {python * 1000:7.1f} ms")
    print(f"rows loaded into Python, by role:  {python_role * 1000:7.1f} ms")
    print(f"reliability.cronbach_alpha:            {alpha * 1000:7.1f} ms")
    print(f"scoring.item_stats:                {items * 1000:7.1f} ms")
    print(f"one round by role, ours:           {ours_one * 1000:7.1f} ms")
    print(f"one round by role, in Python:      {python_one * 1000:7.1f} ms")
    print(f"all numbers of one dashboard page: {page * 1000:7.1f} ms")
    print(f"ratio ours/raw:                    {ours / raw:.2f}")
    print(f"ratio ours/Python:                 {ours / python:.2f}")
    print(f"ratio ours/Python, by role:        {ours_role / python_role:.2f}")
    print(f"ratio ours/Python, one round:      {ours_one / python_one:.2f}")


if __name__ == "__main__":
    main()
