"""The codebase stays ruff-clean (lint rules in pyproject.toml) and ruff-formatted."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKED = ["survey", "tests", "bench", "scripts", "migrations"]


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).parent / "ruff"
    program = str(beside_python) if beside_python.exists() else shutil.which("ruff")
    if program is None:
        pytest.skip("ruff is not installed (it comes with the test extra)")
    root = Path(__file__).resolve().parent.parent
    return subprocess.run([program, *args, *CHECKED], cwd=root, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = ruff("check")
    assert result.returncode == 0, result.stdout


def test_the_code_is_formatted_as_ruff_formats_it():
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
