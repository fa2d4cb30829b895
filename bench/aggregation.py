"""Our SQL aggregation (scoring.dimension_stats) against a hand-written raw SQL query that
computes the same per-round dimension means, on a synthetic dataset in the same process.

    python bench/aggregation.py [--associations 40] [--per-round 60] [--database-url URL]

Prints the time of each and the ratio ours / raw (1.0 = no overhead).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, text

from survey import demo, models, scoring
from survey.catalog import load_directory
from survey.database import create_schema, session_factory
from survey.models import make_engine

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
  WHERE r.state = 'submitted'
  GROUP BY r.id, r.round_id, d.code
  HAVING 2 * COUNT(a.value) >= MAX(ipd.n_items)
) s GROUP BY round_id, dimension
"""


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
        raw = best_of(lambda: session.execute(text(RAW_SQL)).all())
    print(
        f"dataset: {len(round_ids)} rounds, {responses} responses, {answers} answers "
        f"({engine.dialect.name}); last demo build: {result.responses} responses"
    )
    print(f"scoring.dimension_stats: {ours * 1000:.1f} ms")
    print(f"raw SQL baseline:        {raw * 1000:.1f} ms")
    print(f"ratio ours/raw:          {ours / raw:.2f}")


if __name__ == "__main__":
    main()
