"""Every benchmark in one command: runs each script of bench/ as its own process, collects
the lines it prints of the form

    FIGURE <key> ours=<value> <unit> baseline=<name>:<value> <unit> ratio=<x> goal=<text>

and prints them as one table with the machine's load beside each (the 1-minute load
average and the cores, read before and after the script ran).

    python -m bench [--full] [--only export,load] [--budget SECONDS] [--out FILE.md|.json]

Reduced sizes by default (the whole run stays under 10 minutes: each script gets an equal
share of what is left of `--budget`, and is stopped when it runs over, keeping the figures
it printed so far); `--full` passes `--full` to every script, for the issue's sizes (hours,
not minutes). A script that is missing is skipped with a note; one that prints no FIGURE
line is shown by its last lines and exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: The scripts, in the order of the issue's goals: board pages, aggregation, answering
#: pages under load, the research package.
SCRIPTS = ("board", "aggregation", "load", "export")
REDUCED_BUDGET = 570.0  # seconds for every script together, at reduced sizes
FULL_BUDGET = 6 * 3600.0
TAIL = 15  # lines shown of a script that printed no figure
FIGURE = re.compile(
    r"^FIGURE\s+(?P<key>\S+)\s+ours=(?P<ours>.*?)\s+baseline=(?P<baseline>.*?)"
    r"\s+ratio=(?P<ratio>\S+)(?:\s+goal=(?P<goal>.*?))?\s*$"
)


@dataclass
class Figure:
    key: str
    ours: str
    baseline: str
    ratio: str
    goal: str
    load: str = ""  # the script's load: before → after (1-minute average / cores)


@dataclass
class Run:
    script: str
    seconds: float
    returncode: int | None  # None: stopped at the end of its budget
    load_before: tuple[float, int]
    load_after: tuple[float, int]
    figures: list[Figure] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)

    @property
    def load(self) -> str:
        (before, cores), (after, _) = self.load_before, self.load_after
        return f"{before:.1f}→{after:.1f} /{cores}"


def parse_figure(line: str) -> Figure | None:
    """A FIGURE line as its parts (None: not one)."""
    found = FIGURE.match(line.strip())
    if found is None:
        return None
    parts = found.groupdict()
    return Figure(
        parts["key"], parts["ours"], parts["baseline"], parts["ratio"], parts["goal"] or ""
    )


def load() -> tuple[float, int]:
    return os.getloadavg()[0], len(os.sched_getaffinity(0))


def run_script(path: Path, arguments: list[str], budget: float, echo: bool = True) -> Run:
    """Runs `python path arguments…`, echoing its output as it comes, for at most `budget`
    seconds (then it and what it started are stopped)."""
    before, start = load(), time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(path), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        start_new_session=True,  # its own process group, stopped as one
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if echo:
                print(f"  {path.stem}| {line}", end="", flush=True)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        returncode: int | None = process.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        returncode = None
    reader.join(timeout=10)
    run = Run(path.stem, time.perf_counter() - start, returncode, before, load())
    run.figures = [f for f in map(parse_figure, lines) if f is not None]
    for figure in run.figures:
        figure.load = run.load
    run.tail = lines[-TAIL:]
    return run


def table(runs: list[Run], markdown: bool = False) -> str:
    """One row per figure: figure, ours, baseline, ratio, goal, load."""
    head = ("figure", "ours", "baseline", "ratio", "goal", "load")
    rows = [
        (f.key, f.ours, f.baseline, f.ratio, f.goal, f.load) for run in runs for f in run.figures
    ]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    widths = [max(len(str(cell)) for cell in column) for column in zip(head, *rows, strict=True)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [head, *rows]
    )


def notes(runs: list[Run], missing: list[str]) -> list[str]:
    """What each script did, the last lines of one that printed no figure, what is missing."""
    result = []
    for run in runs:
        ended = "stopped at its budget" if run.returncode is None else f"exit {run.returncode}"
        result.append(
            f"{run.script}: {len(run.figures)} figures in {run.seconds:.0f} s, {ended}, "
            f"load {run.load}"
        )
        if not run.figures:
            result += [f"    {line}" for line in run.tail]
    return result + [f"{name}: skipped, bench/{name}.py is missing" for name in missing]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes (hours)")
    parser.add_argument("--only", help="comma-separated scripts, e.g. export,load")
    parser.add_argument("--budget", type=float, help="seconds for all scripts together")
    parser.add_argument("--out", type=Path, help="also write the table (.md or .json)")
    parser.add_argument("--folder", type=Path, default=HERE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(SCRIPTS)
    budget = args.budget or (FULL_BUDGET if args.full else REDUCED_BUDGET)
    deadline = time.perf_counter() + budget
    print(
        f"python -m bench{' --full' if args.full else ''}: {', '.join(names)}; "
        f"load {load()[0]:.1f} on {load()[1]} cores",
        flush=True,
    )
    runs: list[Run] = []
    missing = [name for name in names if not (args.folder / f"{name}.py").exists()]
    present = [name for name in names if name not in missing]
    for n, name in enumerate(present):
        share = max(deadline - time.perf_counter(), 0) / (len(present) - n)
        print(f"== {name} (at most {share:.0f} s)", flush=True)
        path = args.folder / f"{name}.py"
        runs.append(run_script(path, ["--full"] if args.full else [], share))
    print()
    print(table(runs))
    print()
    for line in notes(runs, missing):
        print(line)
    if args.out:
        write(args.out, runs, missing, args.full)
    return 0 if all(run.returncode == 0 for run in runs) else 1


def write(out: Path, runs: list[Run], missing: list[str], full: bool) -> None:
    if out.suffix == ".json":
        data = {
            "full": full,
            "runs": [asdict(run) | {"load": run.load} for run in runs],
            "missing": missing,
        }
        out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        body = [table(runs, markdown=True), "", "```", *notes(runs, missing), "```"]
        out.write_text("\n".join(body) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
