"""`python -m bench` (bench/__main__.py) starts, and collects the FIGURE lines of the scripts
it runs: tiny fake scripts here, never the benchmarks themselves (they take minutes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench(*args: str, folder: Path | None = None) -> subprocess.CompletedProcess[str]:
    hidden = ["--folder", str(folder)] if folder else []
    return subprocess.run(
        [sys.executable, "-m", "bench", *args, *hidden],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_names_the_flags():
    result = bench("--help")
    assert result.returncode == 0, result.stderr
    for flag in ("--full", "--only", "--budget", "--out"):
        assert flag in result.stdout


def test_figures_are_collected_a_silent_script_shown_and_a_missing_one_named(tmp_path):
    (tmp_path / "export.py").write_text(
        "import sys\n"
        "print('built 5000 responses', sys.argv[1:])\n"
        "print('FIGURE export.package.seconds ours=41.2 s baseline=before:212.0 s "
        "ratio=0.19 goal=<60 s')\n"
    )
    (tmp_path / "load.py").write_text("import sys\nprint('nothing measured')\nsys.exit(3)\n")
    out = tmp_path / "figures.json"
    result = bench("--only", "export,load,board", "--out", str(out), folder=tmp_path)
    assert result.returncode == 1  # load.py failed
    table = result.stdout.split("\n\n")[-2]
    assert "export.package.seconds  41.2 s  before:212.0 s  0.19   <60 s" in table
    assert "load: 0 figures" in result.stdout and "nothing measured" in result.stdout
    assert "exit 3" in result.stdout
    assert "board: skipped, bench/board.py is missing" in result.stdout
    written = json.loads(out.read_text())
    assert written["missing"] == ["board"]
    (export,) = [run for run in written["runs"] if run["script"] == "export"]
    assert export["figures"][0]["ratio"] == "0.19" and export["figures"][0]["goal"] == "<60 s"
    assert export["tail"][0] == "built 5000 responses []"  # reduced: no --full passed


def test_a_script_over_its_budget_is_stopped_and_keeps_what_it_printed(tmp_path):
    (tmp_path / "board.py").write_text(
        "import time\n"
        "print('FIGURE board.page ours=80 ms baseline=raw_sql:40 ms ratio=2.00 goal=<100 ms',"
        " flush=True)\n"
        "time.sleep(60)\n"
    )
    result = bench("--only", "board", "--budget", "3", folder=tmp_path)
    assert "board.page" in result.stdout and "stopped at its budget" in result.stdout


def test_full_is_passed_on(tmp_path):
    (tmp_path / "export.py").write_text(
        "import sys\nprint('FIGURE a.b ours=1 s baseline=c:2 s ratio=0.50 goal=x', sys.argv[1:])\n"
    )
    result = bench("--full", "--only", "export", folder=tmp_path)
    assert "ratio=0.50 goal=x ['--full']" in result.stdout
