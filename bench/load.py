"""Respondents at full speed through the whole flow, against a bare Flask app under the
same gunicorn settings, on SQLite and PostgreSQL.

    python bench/load.py [--full] [--clients 32] [--seconds S] [--workers W] [--threads T]
                         [--database sqlite|postgresql|both] [--postgres-url URL]

Ours: clients walk links (start page, background, the page, summary, submit, with the load
test's double submits and racing saves) for `--seconds`; prints completed submissions per
second, requests per second and p50/p95/p99 per request type. Bare: one endpoint that
inserts one row per POST (and a GET that reads one), the floor any app on this server and
database pays. Both servers are warmed up first (every worker has served requests), and
the machine's load average is printed beside each measurement: other work on the machine
slows both alike, so the ratio of the same run is the figure. Each run also prints the CPU
time per request of each side (the server's processes, the clients in this process, and
PostgreSQL's backends): on 2 cores the clients and the database share the machine with
the server, so a side that costs more per request is where the ratio goes.

The default is the reduced run (about a minute per database); `--full` measures longer and
twice, interleaved (ours, bare, ours, bare). The figures are printed as lines
`FIGURE <key> ours=… baseline=bare-flask:… ratio=… goal=…` (`python -m bench` collects them):
the requests per second of ours / bare (goal ≥ 0.5) and the p95 of every request.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from load_driver import Plan, gunicorn, plans, prepare, respond  # noqa: E402

from bench.bare import make_table  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BARE_APP = "bench.bare:create_app()"
BENCH_DATABASE = "survey_load_bench"
#: The goals (issue 23): ours at least half the bare app's requests per second, p95 under.
GOAL_RATIO = 0.5
GOAL_P95_MS = 100.0
REDUCED_SECONDS, FULL_SECONDS = 12.0, 30.0
WARM_UP_SECONDS = 3.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def ours(url: str, todo: Iterator[Plan], args) -> dict:
    """As many respondents as fit in the time (links are prepared generously)."""
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


def load_average() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def warm_up(url: str, path: str = "/", todo: Iterator[Plan] | None = None) -> None:
    """Every worker has served the requests measured (imports, compiled templates and
    statements, connections): the bare app's endpoint, or respondents through our flow."""
    deadline = time.monotonic() + WARM_UP_SECONDS

    def client(number: int) -> None:
        rng = random.Random(-number)
        with requests.Session() as http:
            while time.monotonic() < deadline:
                plan = next(todo, None) if todo is not None else None
                if plan is not None:
                    respond(url, plan, rng)
                else:
                    http.get(url + path, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(client, range(8)))


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> dict[str, float]:
    """CPU time used so far by the server (this process's children: gunicorn and its
    workers), the clients (this process's threads) and PostgreSQL's backends serving the
    benchmark's database: where a request's time goes, per side."""
    found = {"server": 0.0, "postgres": 0.0}
    parents: dict[int, int] = {}
    used: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (command, sum(int(f) for f in fields[11:13]) / _TICK)
    for pid, (command, seconds) in used.items():
        if command.startswith("postgres:") and BENCH_DATABASE in command:
            found["postgres"] += seconds
        elif _descends_from(pid, os.getpid(), parents):
            found["server"] += seconds
    mine = resource.getrusage(resource.RUSAGE_SELF)
    found["client"] = mine.ru_utime + mine.ru_stime
    return found


def _descends_from(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid in parents and pid > 1:
        pid = parents[pid]
        if pid == ancestor:
            return True
    return False


def cpu_note(before: dict[str, float], after: dict[str, float], requests_sent: float) -> str:
    per = {k: 1000 * (after[k] - before[k]) / max(requests_sent, 1) for k in before}
    parts = [f"{k} {v:.2f} ms" for k, v in per.items() if v > 0.005]
    return "CPU per request: " + ", ".join(parts)


def measured(run: Callable[[], dict]) -> dict:
    """A run with the machine's load and the CPU each side spent per request."""
    before, started = cpu_seconds(), time.perf_counter()
    found = run()
    after, elapsed = cpu_seconds(), time.perf_counter() - started
    found["load"] = load_average()
    found["cpu"] = cpu_note(before, after, found["requests/s"] * elapsed)
    return found


def all_requests(found: dict) -> list[float]:
    return [t for values in found["timings"].values() for t in values]


def report(name: str, found: dict) -> None:
    shown = ("timings", "load", "cpu")
    rates = ", ".join(f"{k} {v:,.1f}" for k, v in found.items() if k not in shown)
    print(
        f"  {name}: {rates}; p95 of every request {percentile(all_requests(found), 0.95):.1f} ms"
        f" ({found['load']})"
    )
    print(f"    {found['cpu']}")
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
    todo = iter(plans(prepare(ours_url, args.links)))  # each link answered once, across runs
    make_table(bare_url)
    runs: list[tuple[dict, dict]] = []
    for _ in range(args.repeat):
        with gunicorn({**env, **code}, **settings) as url:
            warm_up(url, todo=todo)
            found = measured(lambda: ours(url, todo, args))
        report("ours (whole flow)", found)
        with gunicorn({**env, "DATABASE_URL": bare_url}, app=BARE_APP, **settings) as url:
            warm_up(url, "/bare")
            floor = measured(lambda: bare(url, args))
        report("bare Flask, one insert per POST", floor)
        runs.append((found, floor))
    figures(database, runs)


def figures(database: str, runs: list[tuple[dict, dict]]) -> None:
    """The FIGURE lines: the median run's requests/s ratio and the p95 of every request."""
    ratios = sorted(o["requests/s"] / b["requests/s"] for o, b in runs)
    ours_rps = sorted(o["requests/s"] for o, _ in runs)
    bare_rps = sorted(b["requests/s"] for _, b in runs)
    ours_p95 = sorted(percentile(all_requests(o), 0.95) for o, _ in runs)
    bare_p95 = sorted(percentile(all_requests(b), 0.95) for _, b in runs)
    mid = len(runs) // 2
    print(
        f"  ours / bare: {', '.join(f'{r:.2f}' for r in ratios)} per request "
        f"({runs[0][0]['load']}; a submission is 7 requests)"
    )
    print(
        f"FIGURE load-{database}-requests ours={ours_rps[mid]:.1f} requests/s "
        f"baseline=bare-flask:{bare_rps[mid]:.1f} requests/s ratio={ratios[mid]:.2f} "
        f"goal=ratio>={GOAL_RATIO}"
    )
    print(
        f"FIGURE load-{database}-p95 ours={ours_p95[mid]:.1f} ms "
        f"baseline=bare-flask:{bare_p95[mid]:.1f} ms ratio={ours_p95[mid] / bare_p95[mid]:.2f} "
        f"goal=ours<{GOAL_P95_MS:.0f}ms"
    )


def _fresh_postgres(admin_url: str) -> str:
    name = BENCH_DATABASE
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="longer runs, two each, interleaved")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, help="each run's length (default 12, full 30)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--links", type=int, help="links prepared for ours")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-url", default=POSTGRES)
    parser.add_argument(
        "--code", help="serve ours from this checkout instead (e.g. the main branch: before/after)"
    )
    args = parser.parse_args()
    args.seconds = args.seconds or (FULL_SECONDS if args.full else REDUCED_SECONDS)
    args.repeat = 2 if args.full else 1
    args.links = args.links or int(args.seconds * 100 * args.repeat) + 1000
    print(f"bench/load.py: {load_average()}, {os.cpu_count()} cores")
    for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        one_database(database, args)


if __name__ == "__main__":
    main()
