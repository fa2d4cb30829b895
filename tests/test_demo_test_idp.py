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
from recipe_stack import free_ports

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


def test_survey_demo_with_the_test_idp_logs_a_person_in(tmp_path):
    app_port, idp_port = free_ports(2)
    survey = Path(sys.executable).parent / "survey"
    log = tmp_path / "demo.log"
    env = {**os.environ, "SURVEY_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("DATABASE_URL", None)
    command = [str(survey), "demo", "--serve", "--test-idp", "--port", str(app_port)]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*command, "--idp-port", str(idp_port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        printed = _wait_for(log, "is running", process)
        assert (
            f"test identity provider (demo only, loopback): http://127.0.0.1:{idp_port}" in printed
        )
        assert "choose 'Test IdP (demo)'" in printed
        base = f"http://127.0.0.1:{app_port}"
        browser = requests.Session()
        assert "Test IdP (demo)" in browser.get(f"{base}/login", timeout=30).text
        chooser = browser.get(f"{base}/login/oidc/test-idp", timeout=30)
        assert chooser.url.startswith(f"http://127.0.0.1:{idp_port}/authorize")
        who = re.search(r'value="(demo-\d+)">\s*board demo-norrsund', chooser.text).group(1)
        landed = browser.post(chooser.url, data={"sub": who, "two_factor": "1"}, timeout=30)
        assert landed.url == f"{base}/" and "styrelse@demo.invalid" in landed.text
    finally:
        process.terminate()
        process.wait(timeout=30)
