"""A förbund administrator's round in Chromium, from the log-in form to a closed, published
round: the round created, links created and downloaded, a respondent answering through a
link in a second browser, the response rate moving (its chart drawn), close, publish. axe
finds nothing serious or critical on any admin page, and the Content-Security-Policy
blocks nothing."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from builders import PASSWORD, make_user
from conftest import csp_violations, signed_in_browser
from playwright.sync_api import expect
from test_browser_respond import assert_accessible, choose_everywhere, next_page

from survey.services import round_actions as rounds

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def click(page, role: str, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def answer_through(browser, link: str) -> list[str]:
    """A respondent in a browser of their own answers the first part and submits."""
    context = browser.new_context(locale="sv-SE")
    blocked = csp_violations(context)
    page = context.new_page()
    page.goto(link)
    page.get_by_label("Chef i första linjen").check()
    page.get_by_label("Kommun", exact=True).check()
    next_page(page)
    choose_everywhere(page, "4")  # the first part; the rest left blank, as people may
    next_page(page)
    page.goto(link + "/summary")
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka in svaren").click()
    assert page.locator("h1").inner_text() == "Tack"
    context.close()
    return blocked


def test_a_forbund_administrator_runs_a_round_in_the_browser(browser, live_server, page, axe):
    with live_server.app.extensions["survey_sessions"]() as session:
        rounds.add_association(session, "norrsund", "Norrsunds samordningsförbund")
        make_user(session, "anna@norrsund.se", "forbund_admin", "norrsund")
    page.set_default_timeout(20000)
    page.goto(live_server.url + "/")
    assert_accessible(axe, page)
    click(page, "link", "Logga in")
    page.get_by_label("E-postadress").fill("anna@norrsund.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    click(page, "button", "Logga in")
    assert page.locator("form.logout span").inner_text() == "anna@norrsund.se"
    assert_accessible(axe, page)  # the front page, signed in: what she may do

    click(page, "link", "Mätomgångar, länkar och svarsfrekvens")
    assert_accessible(axe, page)
    click(page, "link", "Ny mätomgång")
    assert_accessible(axe, page)
    page.get_by_label("Namn", exact=True).fill("2026")
    page.get_by_label("Öppnar").fill(TODAY.isoformat())
    page.get_by_label("Stänger").fill((TODAY - dt.timedelta(days=1)).isoformat())
    click(page, "button", "Skapa mätomgången")
    assert "innan den öppnar" in page.locator(".error-summary").inner_text()
    assert_accessible(axe, page)  # the error summary
    page.get_by_label("Stänger").fill((TODAY + dt.timedelta(days=30)).isoformat())
    click(page, "button", "Skapa mätomgången")
    assert page.locator("#round-state").inner_text().strip() == "utkast"
    assert_accessible(axe, page)

    page.get_by_label("Antal personliga länkar").fill("3")
    with page.expect_download() as download:
        page.get_by_role("button", name="Skapa och ladda ner länkar").click()
    with open(download.value.path(), encoding="utf-8-sig") as fh:
        links = [row[1] for row in list(csv.reader(fh))[1:]]
    assert len(links) == 3 and links[0].startswith(f"{live_server.url}/r/")
    click(page, "button", "Öppna mätomgången")
    assert page.locator("#round-state").inner_text().strip() == "öppen"
    assert page.locator("#rate-invited").inner_text() == "3"
    assert page.locator("#rate-submitted").inner_text() == "0"

    blocked = answer_through(browser, links[0])
    # Live: coming back to the window, the table reads the new counts (static/admin.js).
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.locator("#rate-submitted")).to_have_text("1")
    assert page.locator("#rate-rate").inner_text() == "33 %"
    click(page, "link", "Uppdatera")  # the chart comes with the page
    assert page.locator("#rate-submitted").inner_text() == "1"
    assert page.locator("#rate-rate").inner_text() == "33 %"
    page.wait_for_selector("#rate-chart .main-svg")  # the per-day chart, drawn by plotly.js
    assert page.locator("#rate-chart .barlayer .trace").count() == 1
    assert_accessible(axe, page)

    # Closing and publishing each ask first, on a page that says what happens.
    click(page, "button", "Stäng mätomgången")
    assert page.locator("h1").inner_text() == "Stänga mätomgång 2026?"
    assert "1 av 3 inbjudna har skickat in" in page.locator("#confirm-counts").inner_text()
    assert_accessible(axe, page)
    click(page, "link", "Nej, tillbaka till mätomgången")
    assert page.locator("#round-state").inner_text().strip() == "öppen"
    click(page, "button", "Stäng mätomgången")
    click(page, "button", "Ja, stäng mätomgången")
    assert page.locator("#round-state").inner_text().strip() == "stängd"
    click(page, "button", "Publicera resultaten")
    assert "kan aldrig öppnas igen" in page.locator("#confirm-what").inner_text()
    click(page, "button", "Ja, publicera resultaten")
    assert page.locator("#round-state").inner_text().strip() == "publicerad"
    assert_accessible(axe, page)
    click(page, "link", "Resultaten på styrelsesidorna")
    assert "/f/norrsund" in page.url and page.locator("h1").inner_text().startswith("Norrsunds")

    assert blocked == [] and page.csp_violations == []
    # The one refused form (closes before opens) answered 400, as it should.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
    system_administrators_pages(browser, live_server, axe)


def system_administrators_pages(browser, live_server, axe) -> None:
    """The rest of the admin pages, as a system administrator: each accessible, the
    förbund list's form used once."""
    context = browser.new_context(locale="sv-SE")
    blocked = csp_violations(context)
    page = signed_in_browser(context.new_page(), live_server)
    for path in (
        "/admin/questionnaires",
        "/admin/questionnaires/integrerad-samverkan/1/preview/1?lang=en",
        "/admin/users",
    ):
        page.goto(live_server.url + path)
        assert_accessible(axe, page)
    page.goto(live_server.url + "/admin/?lang=sv")
    page.get_by_label("Kortnamn").fill("sydkust")
    page.get_by_label("Namn", exact=True).fill("Sydkustens samordningsförbund")
    click(page, "button", "Lägg till")
    assert page.locator("h1").inner_text() == "Sydkustens samordningsförbund"
    page.goto(live_server.url + "/admin/")
    assert_accessible(axe, page)
    context.close()
    assert blocked == []
