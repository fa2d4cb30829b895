"""The respondent's questionnaire in a real browser (Debian's Chromium through Playwright):
resume in a fresh browser, submit (twice), switch language, keyboard only, a phone without
JavaScript, and axe-core on every kind of respondent page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from builders import invite, make_round, stored_state
from conftest import csp_violations
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 360, "height": 740}
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe():
    return Axe()


def assert_accessible(axe, page) -> None:
    """No WCAG 2.1 AA violation of impact serious or critical on the page as shown."""
    violations = axe.run(page).response["violations"]
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in BLOCKING
    ]
    assert blocking == [], f"{page.url}: {blocking}"


def new_link(live_server, **round_args) -> str:
    with live_server.app.extensions["survey_sessions"]() as session:
        return invite(session, make_round(session, **round_args))[0]


def db_state(live_server) -> dict:
    with live_server.app.extensions["survey_sessions"]() as session:
        return stored_state(session)


def choose_everywhere(page, value: str) -> None:
    for radio in page.locator(f"input[type=radio][value='{value}']").all():
        radio.check()


def saved(response) -> bool:
    return response.request.method == "POST" and response.status == 204


def next_page(page) -> None:
    with page.expect_navigation():
        page.locator(".buttons button[value=next]").click()


def test_answer_half_close_the_browser_resume_elsewhere_submit_twice(browser, live_server, axe):
    token = new_link(live_server)
    link = f"{live_server.url}/r/{token}"
    first = browser.new_context(locale="sv-SE")
    blocked = csp_violations(first)
    page = first.new_page()
    page.goto(link)
    assert_accessible(axe, page)
    page.get_by_label("Chef i första linjen").check()
    page.get_by_label("Region", exact=True).check()
    next_page(page)
    assert page.locator(".progress-text").inner_text() == "Del 1 av 10"
    assert_accessible(axe, page)
    choose_everywhere(page, "4")
    next_page(page)
    # Half a page, never sent with Next: the page saves itself as answers change.
    with page.expect_response(saved, timeout=5000):
        page.locator("#item-STYR1-2").check()
    with page.expect_response(saved, timeout=5000):
        page.locator("#item-STYR2-dk").check()
    first.close()

    second = browser.new_context(locale="sv-SE")
    blocked += csp_violations(second)
    page = second.new_page()
    page.goto(link)  # lands where the person stopped: part 2, one statement still blank
    assert page.url.endswith("/p/2")
    page.goto(link + "?start=1")
    assert "Välkommen tillbaka" in page.content()
    assert page.get_by_label("Chef i första linjen").is_checked()
    page.goto(f"{link}/p/1")
    assert page.locator("input[type=radio][value='4']:checked").count() == 4
    page.goto(f"{link}/p/2")
    assert (
        page.locator("#item-STYR1-2").is_checked() and page.locator("#item-STYR2-dk").is_checked()
    )
    for number in range(2, 11):
        if number != 5:  # part 5 is left for the summary to point out
            choose_everywhere(page, "3" if number > 2 else "5")
        next_page(page)
    assert page.url.endswith("/summary")
    summary = page.locator("main").inner_text()
    assert "Du har besvarat 36 av 40 påståenden." in summary
    assert "Del 5: Information och uppföljning" in summary
    assert_accessible(axe, page)

    form = {
        name: page.locator(f"input[name={name}]").get_attribute("value")
        for name in ("csrf_token", "receipt")
    }
    page.locator("button[type=submit].primary").dblclick()
    page.wait_for_selector("h1:text('Tack')")
    assert "Dina svar är inskickade" in page.content()
    assert "sammanställs när mätomgången stänger den" in page.content()
    assert_accessible(axe, page)
    page.go_back()  # the summary again? No: the thank-you page.
    assert page.locator("h1").inner_text() == "Tack"
    replay = page.request.post(f"{link}/submit", form=form)  # same cookies as the page
    assert replay.status == 200 and "Dina svar är inskickade" in replay.text()
    second.close()

    state = db_state(live_server)
    assert [r[1:3] for r in state["responses"]] == [("chef", "region")] and state["drafts"] == []
    assert len(state["answers"]) == 36
    assert state["invitations"][0][2:] == (None, True)
    assert blocked == []  # the Content-Security-Policy blocked nothing the pages use


def test_switching_language_keeps_an_unsent_answer(browser, live_server, page, axe):
    token = new_link(live_server)
    english_browser = browser.new_context(locale="en-GB")
    blocked = csp_violations(english_browser)
    start = english_browser.new_page()
    start.goto(f"{live_server.url}/r/{token}")
    assert start.locator("h2").first.inner_text() == "About you"
    english_browser.close()
    page.goto(f"{live_server.url}/r/{token}/p/3")
    page.locator("#item-RES2-5").check()
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".progress-text").inner_text() == "Part 3 of 10"
    assert page.locator("h1").inner_text() == "Resources and funding"
    assert page.locator("#item-RES2-5").is_checked()
    assert page.get_by_label("Don't know").first.is_visible()
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("link", name="Svenska").click()
    assert page.locator(".progress-text").inner_text() == "Del 3 av 10"
    assert page.console_errors == []
    assert blocked == page.csp_violations == []


def test_keyboard_only_with_visible_focus(live_server, page):
    token = new_link(live_server)
    page.goto(f"{live_server.url}/r/{token}")

    def focused() -> str:
        return page.evaluate("document.activeElement.id || document.activeElement.tagName")

    def tab_to(element_id: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if focused() == element_id:
                return
        raise AssertionError(f"never reached #{element_id} with Tab (at {focused()})")

    tab_to("role-handlaggare")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("ArrowDown")  # moves to and selects the next role
    assert page.locator("#role-chef").is_checked()
    page.keyboard.press("Tab")  # into the next question
    page.keyboard.press("Space")
    assert page.locator("#agency-fk").is_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter on a choice moves on, like "Börja"
    assert page.url.endswith("/p/1")
    tab_to("item-STRAT1-1")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.locator("#item-STRAT1-3").is_checked()
    tab_to("comment")
    page.keyboard.type("Skrivet med tangentbordet")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # "Tillbaka", then "Nästa"
    assert page.evaluate("document.activeElement.textContent") == "Nästa"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/p/2")
    page.goto(f"{live_server.url}/r/{token}/p/1")
    assert page.locator("#item-STRAT1-3").is_checked()
    assert page.locator("#comment").input_value() == "Skrivet med tangentbordet"
    assert page.csp_violations == []


def test_a_phone_without_javascript_answers_and_submits(browser, live_server, axe):
    token = new_link(live_server)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="sv-SE")
    blocked = csp_violations(context)
    page = context.new_page()

    def fits() -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} is {width}px wide"

    page.goto(f"{live_server.url}/r/{token}")
    fits()
    page.get_by_label("Handläggare / medarbetare i insats").check()
    page.get_by_label("Kommun").check()
    next_page(page)
    for number in range(1, 11):
        fits()
        choose_everywhere(page, "dk")
        if number == 10:  # without JavaScript the switch is a button that saves the page
            with page.expect_navigation():
                page.get_by_role("button", name="Save and continue in English").click()
            assert page.locator(".progress-text").inner_text() == "Part 10 of 10"
            assert page.locator("input[value=dk]:checked").count() == 4
        next_page(page)
    fits()
    assert "You have answered all 40 statements." in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit answers").click()
    assert page.locator("h1").inner_text() == "Thank you"
    fits()
    context.close()
    assert len(db_state(live_server)["responses"]) == 1
    assert blocked == []


def test_error_and_notice_pages_are_accessible(browser, live_server, page, axe):
    # An error summary: the background left out, then sent with "Börja".
    token = new_link(live_server)
    page.goto(f"{live_server.url}/r/{token}")
    with page.expect_navigation():
        page.get_by_role("button", name="Börja").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "Svara på frågan" in summary.inner_text()
    expect(summary).to_be_focused()
    assert_accessible(axe, page)
    # A wrong link, a closed round and a round not yet open.
    page.goto(f"{live_server.url}/r/this-link-does-not-exist")
    assert page.locator("h1").inner_text() == "Länken hittades inte"
    assert_accessible(axe, page)
    closed = new_link(live_server, slug="vast", state="closed")
    page.goto(f"{live_server.url}/r/{closed}")
    assert page.locator("h1").inner_text() == "Enkäten är stängd"
    assert_accessible(axe, page)
    later = dt.date.today() + dt.timedelta(days=9)
    draft = new_link(live_server, slug="ost", state="draft", opens_on=later)
    page.goto(f"{live_server.url}/r/{draft}")
    assert re.search(r"öppnar den \d+ \w+ \d{4}", page.locator("main").inner_text())
    assert_accessible(axe, page)
    assert page.csp_violations == []


@pytest.mark.slow
def test_enter_on_a_radio_with_blank_statements_stays_on_the_part(live_server, page, axe):
    token = new_link(live_server)
    link = f"{live_server.url}/r/{token}"
    page.goto(link)
    page.get_by_label("Chef i första linjen").check()
    page.get_by_label("Region", exact=True).check()
    next_page(page)
    page.locator("#item-STRAT1-4").check()
    with page.expect_navigation():
        page.locator("#item-STRAT1-4").press("Enter")
    assert page.url.endswith("/p/1")  # not moved on with three statements blank
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert "Du tryckte på Enter" in summary.inner_text()
    assert "Ännu inte besvarat" in summary.inner_text()
    assert page.locator("#item-STRAT1-4").is_checked()  # what was chosen is kept
    assert_accessible(axe, page)
    choose_everywhere(page, "3")
    with page.expect_navigation():
        page.locator("#item-STRAT4-3").press("Enter")
    assert page.url.endswith("/p/2")  # every statement answered: Enter moves on
    # The summary reviews each answer, with a link back to each part.
    page.goto(link + "/summary")
    assert page.locator("#answer-STRAT1").inner_text().startswith("3")
    assert page.locator("#answer-STYR1").inner_text() == "ej besvarat"
    with page.expect_navigation():
        page.get_by_role("link", name="Ändra svaren i del 1", exact=True).click()
    assert page.url.endswith("/p/1")
    assert page.csp_violations == []
