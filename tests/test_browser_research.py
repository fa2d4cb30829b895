"""A researcher in Chromium, from the front page to a downloaded research package, without
typing a URL: the newest version chosen for them, what the choice holds shown, the zip's
README listing every file."""

from __future__ import annotations

import zipfile

import pytest
from builders import add_response, all_items, make_round
from conftest import signed_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_researcher_downloads_the_research_package_from_the_front_page(live_server, page):
    with live_server.app.extensions["survey_sessions"]() as session:
        old = make_round(session, "norrsund", "2025", state="published", version=1)
        new = make_round(session, "norrsund", "2026", state="published", version=2)
        for rnd in (old, new):
            for i in range(6):
                answers = all_items(session, rnd, lambda item, i=i: (len(item.code) + i) % 5 + 1)
                add_response(session, rnd, answers, "handlaggare", "kommun")
    page.set_default_timeout(20000)
    signed_in_browser(page, live_server, role="researcher")
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Välj och ladda ner forskningsdata").click()
    assert page.locator("h1").inner_text() == "Forskningsdata"
    chosen = page.get_by_label("Enkätversion").evaluate("s => s.options[s.selectedIndex].text")
    assert "version 2" in chosen  # the newest, chosen for them
    page.get_by_label("Med kommentarer").check()
    page.get_by_label("Forskningspaket (zip)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Visa vad urvalet innehåller").click()
    assert page.locator("#choice-responses").inner_text() == "6"
    assert page.locator("#choice-recoded").inner_text().startswith("ja")
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner").click()
    assert download.value.suggested_filename == "samverkansmataren-forskning-2026-norrsund.zip"
    with zipfile.ZipFile(download.value.path()) as archive:
        readme = archive.read("README.txt").decode()
        for name in archive.namelist():
            assert f"\n{name}: " in "\n" + readme, name
        assert "svar_lang.csv" in archive.namelist()
    assert page.console_errors == [] and page.csp_violations == []
