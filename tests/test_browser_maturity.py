"""In Chromium: a förbund administrator runs a consensus workshop on a published version 3
round (most split dimension first) and plans an action; a board member then reads the
agreed levels, the verdicts and the action on the board's page. The Content-Security-Policy
blocks nothing and the radar draws."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import make_round, rate_levels
from conftest import signed_in_browser
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def click(page, role: str, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def test_an_administrator_runs_a_workshop_and_a_board_member_reads_it(browser, live_server, page):
    with live_server.app.extensions["survey_sessions"]() as session:
        rnd = make_round(session, slug="norrsund", label="2026", state="published", version=3)
        people = [("handlaggare", {"STRAT.NOW": v, "STYR.NOW": 3, "STRAT.WANT": 4})
                  for v in (1, 1, 3, 3, 3, 5, 5)]  # fmt: skip
        rate_levels(session, rnd, people)
    page.set_default_timeout(20000)
    signed_in_browser(page, live_server, role="forbund_admin", forbund="norrsund")
    base = f"{live_server.url}/admin/f/norrsund/rounds/2026"

    page.goto(f"{base}/workshop")
    click(page, "button", "Öppna workshoppen")
    expect(page.locator("#workshop-dimensions tbody tr").first).to_contain_text("splittrad bild")
    click(page, "link", "Strategi och långsiktighet")
    expect(page.locator("h1")).to_have_text("Strategi och långsiktighet")
    page.get_by_role("group", name="Överenskommen nivå i dag").get_by_label("Nivå 2").check()
    page.get_by_role("group", name="Överenskommen målnivå").get_by_label("Nivå 4").check()
    page.get_by_label("Motivering").fill("Strategin finns på papper men används inte.")
    click(page, "button", "Spara och gå till nästa område")
    expect(page.locator(".notice")).to_contain_text("Sparat")

    page.goto(f"{base}/actions")
    page.get_by_label("Dimension", exact=True).select_option("STRAT")
    page.get_by_label("Rubrik").fill("Förankra strategin hos parterna")
    page.get_by_label("Ansvarig").fill("Förbundschefen")
    page.get_by_label("Klar senast").fill((dt.date.today() + dt.timedelta(days=90)).isoformat())
    click(page, "button", "Lägg till åtgärden")
    expect(page.locator("#actions")).to_contain_text("Förankra strategin hos parterna")
    page.goto(f"{base}/workshop")
    click(page, "button", "Markera workshoppen som klar")
    expect(page.locator("#workshop-state")).to_contain_text("Klar")

    reader = browser.new_context(locale="sv-SE")
    board_page = reader.new_page()
    signed_in_browser(board_page, live_server, role="board", forbund="norrsund")
    board_page.goto(f"{live_server.url}/f/norrsund/maturity")
    strat = board_page.locator('#by-gap tr[data-dimension="STRAT"]')
    expect(strat).to_contain_text("2")
    expect(board_page.locator('#agreement-table tr[data-dimension="STRAT"]')).to_contain_text(
        "splittrad bild"
    )
    expect(board_page.locator("#planned")).to_contain_text("Förankra strategin hos parterna")
    expect(board_page.locator("#levels .main-svg").first).to_be_visible()
    reader.close()
    assert page.csp_violations == []
