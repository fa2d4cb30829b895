"""`survey serve` as a person starts it: on a port another program holds it says so and
stops, without claiming to run (the address it would print is someone else's page); with
`--port 0` it takes a free port and prints that one, where it then answers."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow

SURVEY = Path(sys.executable).parent / "survey"


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "SURVEY_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("DATABASE_URL", None)
    return env


def test_a_port_in_use_is_an_error_not_someone_elses_page(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        done = subprocess.run(
            [str(SURVEY), "serve", "--port", str(port)],
            env=_env(tmp_path), capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    said = done.stdout + done.stderr
    assert done.returncode != 0, said
    assert f"Port {port} is in use" in said, said
    assert "is running" not in said


def test_port_zero_takes_a_free_port_and_prints_it(tmp_path):
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(SURVEY), "serve", "--port", "0"],
            env=_env(tmp_path), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while "is running" not in log.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(0.3)
        found = re.search(r"is running: open (http://127\.0\.0\.1:(\d+))/", log.read_text())
        assert found and found.group(2) != "0", log.read_text()
        assert requests.get(f"{found.group(1)}/login", timeout=30).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
