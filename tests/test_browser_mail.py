"""The e-mail pages in Chromium: a förbund administrator adds addresses (first with a
mistake), queues invitations and edits a text; axe-core finds nothing serious or critical
on any state of the pages, and the Content-Security-Policy blocks nothing."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from builders import make_round
from conftest import signed_in_browser
from test_browser_respond import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_mail_pages_in_a_browser(live_server, page):
    axe = Axe()
    with live_server.app.extensions["survey_sessions"]() as session:
        make_round(session)
    signed_in_browser(page, live_server, "forbund_admin", "norrsund")
    page.goto(live_server.url + "/admin/f/norrsund/rounds/2026/mail")
    assert_accessible(axe, page)
    assert "”Namn <adress>”" in page.locator("#hint-addresses").inner_text()

    page.get_by_label("E-postadresser").fill("anna@norrsund.test\nbo(at)kommun.test")
    page.get_by_role("button", name="Kontrollera adresserna").click()
    summary = page.locator(".error-summary")
    assert "Rad 2: ”bo(at)kommun.test” är inte en e-postadress." in summary.inner_text()
    assert_accessible(axe, page)

    # As pasted from Outlook: name and address, the language after it; shown before saving.
    page.get_by_label("E-postadresser").fill(
        "Anna Berg <anna@norrsund.test>\nBo Ek <bo@kommun.test> en"
    )
    page.get_by_role("button", name="Kontrollera adresserna").click()
    assert "bo@kommun.test" in page.locator("#preview").inner_text()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Spara 2 adresser").click()
    assert "2 nya adresser" in page.locator(".notice[role=status]").inner_text()
    page.get_by_role("button", name="Skicka inbjudningar till nya adresser").click()
    assert "2 inbjudningar köade" in page.locator(".notice[role=status]").inner_text()
    assert "inte inställd" in page.content()  # no MAIL_HOST here: they wait
    assert_accessible(axe, page)

    page.get_by_role("link", name="Redigera meddelandenas texter").click()
    assert_accessible(axe, page)
    form = page.locator("section", has=page.locator("#h-invitation-sv"))
    form.get_by_label("Text").fill("Ingen länk")
    form.get_by_role("button", name="Spara").click()
    assert "måste innehålla {link}" in page.locator(".error-summary").inner_text()
    assert_accessible(axe, page)
    assert page.csp_violations == []
    # The refused forms answer 400, which Chromium logs; nothing else went wrong.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
