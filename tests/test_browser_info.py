"""The privacy notice and the accessibility statement in a real browser: a respondent
follows the footer link from the questionnaire to their förbund's notice, and on to the
statement; axe-core finds no serious or critical violation on either, in both languages,
on a phone-sized screen."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from test_browser_respond import PHONE, assert_accessible, new_link

pytestmark = pytest.mark.browser


def test_a_respondent_reaches_the_notice_and_the_statement_from_the_footer(live_server, page):
    axe = Axe()
    token = new_link(live_server)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/r/{token}")
    page.get_by_role("link", name="Personuppgifter").click()
    assert page.url == f"{live_server.url}/privacy/norrsund"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Personuppgifter: Norrsund samordningsförbund"
    )
    assert_accessible(axe, page)
    page.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    assert page.url == f"{live_server.url}/accessibility"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Tillgänglighet för Samverkansmätaren"
    )
    assert_accessible(axe, page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for path in ("/accessibility?lang=en", "/privacy?lang=en"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "en"
        assert_accessible(axe, page)
    assert page.csp_violations == [] and page.console_errors == []
