"""The documented command `survey demo --serve --test-saml-idp` as a person uses it, in
Chromium: the demo and the loopback test SAML IdP start, the output says whom to log in
as, and a log-in through the IdP's page lands logged in; log-out goes through the IdP's
single logout and back to our log-in page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_program
from test_demo_test_idp import _wait_for, printed_address

require_program("xmlsec1", "apt-get install -y xmlsec1")  # pysaml2 signs with it

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_survey_demo_with_the_test_saml_idp_logs_a_person_in(tmp_path, page):
    survey = Path(sys.executable).parent / "survey"
    log = tmp_path / "demo.log"
    env = {**os.environ, "SURVEY_INSTANCE_PATH": str(tmp_path / "instance")}
    env.pop("DATABASE_URL", None)
    command = [str(survey), "demo", "--serve", "--test-saml-idp", "--port", "0"]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*command, "--saml-idp-port", "0"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        printed = _wait_for(log, "is running", process)
        base = printed_address(printed, "is running: open ")
        idp = printed_address(printed, "test SAML identity provider (demo only, loopback): ")
        idp += "/idp"
        assert f"test SAML identity provider (demo only, loopback): {idp}" in printed
        page.goto(f"{base}/login")
        with page.expect_navigation():
            page.get_by_role("link", name="Test SAML IdP (demo)").click()
        assert page.url.startswith(f"{idp}/sso?SAMLRequest=")
        with page.expect_navigation(url=f"{base}/"):
            page.get_by_role("button", name="board demo-norrsund <styrelse@demo.invalid>").click()
        assert "styrelse@demo.invalid" in page.locator("header").inner_text()
        with page.expect_navigation(url=f"{base}/login"):
            page.get_by_role("button", name="Logga ut").click()
        assert "din organisations inloggning" in page.locator("main").inner_text()
        assert page.csp_violations == []
    finally:
        process.terminate()
        process.wait(timeout=30)
