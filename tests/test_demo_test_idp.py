"""The documented command `survey demo --serve --test-idp` as a person uses it: the demo
and the loopback test provider start, the output says whom to log in as, and a log-in
through the provider's page (a cookie-keeping client, as a browser) lands logged in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow


def _wait_for(log: Path, text: str, process: subprocess.Popen, limit: float = 120) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        out = log.read_text(encoding="utf-8", errors="replace")
        if text in out:
            return out
        assert process.poll() is None, out
        time.sleep(0.5)
    raise AssertionError(log.read_text(encoding="utf-8", errors="replace"))


def printed_address(printed: str, before: str) -> str:
    """The address the command printed after `before` (ports are chosen by the system:
    `--port 0`, so no other test's server can take them between choosing and binding)."""
    return re.search(re.escape(before) + r"(http://127\.0\.0\.1:\d+)", printed).group(1)


def test_survey_demo_with_the_test_idp_logs_a_person_in(tmp_path):
    survey = Path(sys.executable).parent / "survey"
    log = tmp_path / "demo.log"
    env = {**os.environ, "SURVEY_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("DATABASE_URL", None)
    command = [str(survey), "demo", "--serve", "--test-idp", "--port", "0", "--idp-port", "0"]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        printed = _wait_for(log, "is running", process)
        base = printed_address(printed, "is running: open ")
        idp = printed_address(printed, "test identity provider (demo only, loopback): ")
        assert idp != base
        assert f"open {base}/login, choose 'Test IdP (demo)'" in printed
        browser = requests.Session()
        assert "Test IdP (demo)" in browser.get(f"{base}/login", timeout=30).text
        chooser = browser.get(f"{base}/login/oidc/test-idp", timeout=30)
        assert chooser.url.startswith(f"{idp}/authorize")
        who = re.search(r'value="(demo-\d+)">\s*board demo-norrsund', chooser.text).group(1)
        landed = browser.post(chooser.url, data={"sub": who, "two_factor": "1"}, timeout=30)
        assert landed.url == f"{base}/" and "styrelse@demo.invalid" in landed.text
    finally:
        process.terminate()
        process.wait(timeout=30)
