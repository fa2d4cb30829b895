"""The log-in pages in a real browser: a researcher logs in with password and code, and
axe-core finds no serious or critical violation on the log-in page, its error summary, the
code page, enrolment and the recovery codes."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from builders import PASSWORD, make_user
from playwright.sync_api import expect
from test_browser_respond import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def test_log_in_enrol_and_log_in_with_a_code(browser, live_server, page, axe):
    with live_server.app.extensions["survey_sessions"]() as session:
        make_user(session, "forskare@uni.se", "researcher")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/login")
    assert_accessible(axe, page)
    page.get_by_label("E-postadress").fill("forskare@uni.se")
    page.get_by_label("Lösenord").fill("not the password")
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()
    # The summary takes focus once the page's script has run: wait for it, not a moment.
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(axe, page)

    page.get_by_label("Lösenord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()
    assert page.url.endswith("/account/two-factor")  # researchers must enrol first
    assert_accessible(axe, page)
    secret = page.locator("#secret").inner_text()
    page.get_by_label("Kod från appen").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bekräfta").click()
    assert len(re.findall(r"[a-z2-7]{4}-", page.locator("ul.codes").inner_text())) == 30
    assert_accessible(axe, page)

    page.get_by_role("button", name="Logga ut").click()
    page.get_by_label("E-postadress").fill("forskare@uni.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    assert page.url.endswith("/login/code")
    assert_accessible(axe, page)
    page.get_by_label("Kod").fill("000000")
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(axe, page)
    # The enrolment's code cannot be replayed: the next one (within the clock window) works.
    page.get_by_label("Kod").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Logga in").click()
    assert page.locator("form.logout span").inner_text() == "forskare@uni.se"
