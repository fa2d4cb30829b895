"""A board member and a system administrator in Chromium, from the front page on, by
clicking only: the chosen round survives the language switch, the phone shows change and
reference, a pseudonymised förbund can be compared with, the help pages are one click
away; a user is added with a chosen role, removed after a confirmation, and the audit log
says so in a sentence, filtered."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from builders import default_questionnaire
from conftest import signed_in_browser

from survey import demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAST = str(dt.date.today().year - 2)  # the older of the demo's published rounds


@pytest.fixture
def demo_server(live_server):
    with live_server.app.extensions["survey_sessions"]() as session:
        demo.build_demo(session, default_questionnaire(session), dt.date.today())
        session.commit()
    return live_server


def test_a_board_member_reads_compares_and_finds_help_by_clicking(demo_server, page):
    signed_in_browser(page, demo_server, "board", "demo-norrsund")
    page.set_viewport_size({"width": 375, "height": 740})  # a phone
    page.goto(demo_server.url + "/")
    page.get_by_role("link", name=re.compile(r"^Resultat\W+Norrsunds")).click()
    page.get_by_label("Mätomgång").select_option(LAST)
    page.get_by_role("button", name="Visa").first.click()
    page.wait_for_url(f"**round={LAST}**")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en**")
    assert f"round={LAST}" in page.url  # the chosen round is kept
    page.get_by_role("link", name="Svenska").click()
    page.wait_for_url("**lang=sv**")
    assert f"round={LAST}" in page.url

    # On the phone every figure of a dimension is on screen, under its column's name.
    first = page.locator("#dimension-table tbody tr").first
    for label in ("Medelvärde", "Riksreferens"):
        cell = first.locator(f'td[data-label="{label}"]')
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, label
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert Axe().run(page).violations_count == 0

    page.get_by_role("link", name="Jämför med andra").first.click()
    page.get_by_label("Förbund A", exact=True).check()
    page.get_by_role("button", name="Visa").click()
    page.wait_for_selector("#peers .main-svg")
    legend = page.locator("#peers .legend .legendtext").all_text_contents()
    assert legend[-1] == "Förbund A"

    page.get_by_role("link", name="Hjälp").click()
    assert page.get_by_role("heading", level=1).text_content() == "Guide för förbund och styrelser"
    page.get_by_role("link", name="För styrelse och beredningsgrupp").click()
    assert page.get_by_role("heading", level=1).text_content() == "För styrelse och beredningsgrupp"
    assert Axe().run(page).violations_count == 0
    assert page.console_errors == [] and page.csp_violations == []


def test_a_system_administrator_adds_and_removes_a_user_and_reads_the_log(demo_server, page):
    signed_in_browser(page, demo_server)
    page.goto(demo_server.url + "/")
    page.get_by_role("link", name="Användare och roller").click()
    add = page.locator("form.account").first
    role = add.get_by_label("Roll")
    assert role.input_value() == ""  # nothing preset
    add.get_by_label("E-postadress").fill("eva@norrsund.se")
    add.get_by_role("button", name="Lägg till användaren").click()
    page.wait_for_selector(".error-summary")
    assert "Välj en roll." in page.locator(".error-summary").text_content()
    add = page.locator("form.account").first
    assert add.get_by_label("E-postadress").input_value() == "eva@norrsund.se"  # kept
    add.get_by_label("Roll").select_option(label="styrelse")
    add.get_by_label("Samordningsförbund", exact=False).select_option("demo-norrsund")
    add.get_by_role("button", name="Lägg till användaren").click()
    assert "eva@norrsund.se har lagts till" in page.locator("#password-link").text_content()

    page.get_by_role("button", name=re.compile(r"^Ta bort användaren\W+eva@norrsund")).click()
    assert "Det går inte att ångra" in page.locator("#confirm-text").text_content()
    assert Axe().run(page).violations_count == 0
    page.get_by_role("button", name="Ja, ta bort användaren").click()
    assert "eva@norrsund.se" not in page.locator("#users").text_content()

    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Granskningslogg").click()
    page.get_by_label("Vad").select_option(label="Användare och roller")
    page.get_by_role("button", name="Visa").click()
    log = page.locator("#audit").text_content()
    assert "lade till användaren eva@norrsund.se som styrelse – demo-norrsund" in log
    assert "tog bort användaren eva@norrsund.se" in log
    assert "user_added" not in log
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner de här händelserna som CSV").click()
    assert download.value.suggested_filename == "samverkansmataren-audit.csv"
    assert Axe().run(page).violations_count == 0
    # The one refused form answers 400, as a refusal should; nothing else failed.
    assert [e for e in page.console_errors if "status of 400" not in e] == []
    assert page.csp_violations == []
