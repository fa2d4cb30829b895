"""Respondents at full speed through the whole flow, against a bare Flask app under the
same gunicorn settings, on SQLite and PostgreSQL.

    python bench/load.py [--clients 32] [--seconds 20] [--workers 4] [--threads 4]
                         [--database sqlite|postgresql|both] [--postgres-url URL]

Ours: clients walk links (start page, background, the page, summary, submit, with the load
test's double submits and racing saves) for `--seconds`; prints completed submissions per
second, requests per second and p50/p95/p99 per request type. Bare: one endpoint that
inserts one row per POST (and a GET that reads one), the floor any app on this server and
database pays. The ratio bare / ours is the figure to compare between machines.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from load_driver import gunicorn, plans, prepare, respond  # noqa: E402

from bench.bare import make_table  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BARE_APP = "bench.bare:create_app()"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def ours(url: str, tokens: list[str], args) -> dict:
    """As many respondents as fit in the time (links are prepared generously)."""
    todo = iter(plans(tokens))
    deadline = time.monotonic() + args.seconds
    timings: dict[str, list[float]] = defaultdict(list)
    done = statuses_5xx = requests_sent = 0

    def client(number: int) -> tuple[int, int, int]:
        finished = errors = sent = 0
        rng = random.Random(number)
        while time.monotonic() < deadline:
            plan = next(todo, None)
            if plan is None:
                break
            outcome = respond(url, plan, rng)
            finished += outcome.submitted
            for kind, status, seconds in outcome.requests:
                timings[kind].append(seconds)
                errors += status >= 500
                sent += 1
        return finished, errors, sent

    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        for finished, errors, sent in pool.map(client, range(args.clients)):
            done += finished
            statuses_5xx += errors
            requests_sent += sent
    elapsed = time.perf_counter() - started
    return {
        "submissions/s": done / elapsed,
        "requests/s": requests_sent / elapsed,
        "5xx": statuses_5xx,
        "timings": timings,
    }


def bare(url: str, args) -> dict:
    """The same clients on the bare app: a GET, then a POST inserting one row."""
    deadline = time.monotonic() + args.seconds
    timings: dict[str, list[float]] = defaultdict(list)

    def client(_number: int) -> int:
        http = requests.Session()
        posts = 0
        while time.monotonic() < deadline:
            for kind, method in (("GET", "get"), ("POST insert", "post")):
                started = time.perf_counter()
                getattr(http, method)(url + "/bare", timeout=60).raise_for_status()
                timings[kind].append(time.perf_counter() - started)
            posts += 1
        return posts

    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        posts = sum(pool.map(client, range(args.clients)))
    elapsed = time.perf_counter() - started
    return {"posts/s": posts / elapsed, "requests/s": 2 * posts / elapsed, "timings": timings}


def report(name: str, found: dict) -> None:
    rates = ", ".join(f"{k} {v:,.1f}" for k, v in found.items() if k != "timings")
    print(f"  {name}: {rates}")
    for kind, values in sorted(found["timings"].items()):
        p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
        print(
            f"    {kind:<12} n={len(values):>6}  "
            f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms"
        )


def one_database(database: str, args) -> None:
    folder = Path(tempfile.mkdtemp(prefix="survey-load-bench-"))
    if database == "sqlite":
        ours_url, bare_url = f"sqlite:///{folder / 'ours.db'}", f"sqlite:///{folder / 'bare.db'}"
    else:
        ours_url = bare_url = _fresh_postgres(args.postgres_url)
    env = {
        "DATABASE_URL": ours_url,
        "SECRET_KEY": "bench",
        "SURVEY_INSTANCE_PATH": str(folder),
        "RATE_LIMIT_RESPOND": "100000000/minute",
        "PYTHONPATH": str(ROOT),
    }
    settings = {"workers": args.workers, "threads": args.threads}
    print(f"{database}: {args.clients} clients, {args.seconds} s, gunicorn {settings}")
    code = {"PYTHONPATH": f"{args.code}:{ROOT}"} if args.code else {}
    tokens = prepare(ours_url, args.links)
    with gunicorn({**env, **code}, **settings) as url:
        found = ours(url, tokens, args)
    report("ours (whole flow)", found)
    make_table(bare_url)
    with gunicorn({**env, "DATABASE_URL": bare_url}, app=BARE_APP, **settings) as url:
        floor = bare(url, args)
    report("bare Flask, one insert per POST", floor)
    print(
        f"  ratio bare / ours: {floor['posts/s'] / found['submissions/s']:.1f}× per submission "
        f"(a submission is 7 requests), "
        f"{floor['requests/s'] / found['requests/s']:.1f}× per request"
    )


def _fresh_postgres(admin_url: str) -> str:
    name = "survey_load_bench"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--links", type=int, default=5000, help="links prepared for ours")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-url", default=POSTGRES)
    parser.add_argument(
        "--code", help="serve ours from this checkout instead (e.g. the main branch: before/after)"
    )
    args = parser.parse_args()
    for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        one_database(database, args)


if __name__ == "__main__":
    main()
