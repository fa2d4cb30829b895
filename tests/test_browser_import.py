"""A system administrator imports an earlier round on the admin page, in Chromium: the
check and the import each say, while they run, that they are running (a progress bar and a
status line a screen reader announces) and their button cannot be pressed twice; then the
report, then the imported round's page. What the page shows while the server works is read
by keeping the page where it is after the press; axe finds nothing serious."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import make_round
from conftest import csp_violations, signed_in_browser
from playwright.sync_api import expect
from sqlalchemy import func, select
from test_browser_admin import axe  # noqa: F401 - the module's axe fixture
from test_browser_respond import assert_accessible

from survey.db import models

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EXAMPLE = Path(__file__).parent / "data" / "import-example.csv"


def stay(page) -> None:
    """Pressing a button runs the page's own submit handlers but leaves the page where it
    is (as while a slow server answers), so what the page shows meanwhile can be read."""
    page.evaluate(
        "document.querySelectorAll('form').forEach(f =>"
        " f.addEventListener('submit', e => e.preventDefault()))"
    )


def send(page, form: str) -> None:
    """The form sent as the browser sends it, its page then replaced by the answer."""
    with page.expect_navigation():
        page.evaluate(f"document.querySelector('{form}').submit()")


def test_the_import_page_says_it_is_working_then_imports(live_server, page, axe):  # noqa: F811
    with live_server.app.extensions["survey_sessions"]() as session:
        make_round(session, slug="norrsund", label="2026")
    blocked = csp_violations(page.context)
    signed_in_browser(page, live_server)
    page.goto(f"{live_server.url}/admin/import?lang=en")
    page.get_by_label("Round label").fill("2019")
    page.get_by_label("File (CSV UTF-8 or .xlsx)").set_input_files(str(EXAMPLE))
    stay(page)

    check = page.locator("form#check")
    check.get_by_role("button", name="Check (nothing is written)").click()
    status = check.get_by_role("status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("Checking the file: nothing is written.")
    expect(check.get_by_role("button", name="Check (nothing is written)")).to_be_disabled()
    send(page, "form#check")
    expect(page.get_by_role("heading", name="Check passed: nothing written yet")).to_be_visible()
    assert_accessible(axe, page)

    confirm = page.locator("form#confirm")
    button = confirm.get_by_role("button", name=re.compile(r"^Import \d+ responses$"))
    stay(page)
    button.click()
    expect(confirm.get_by_role("status")).to_contain_text(re.compile(r"Importing \d+ responses"))
    expect(button).to_be_disabled()
    send(page, "form#confirm")
    assert page.url.endswith("/admin/f/norrsund/rounds/2019")
    with live_server.app.extensions["survey_sessions"]() as session:
        imported = select(models.Round).filter_by(label="2019")
        rnd = session.scalar(imported)
        count = select(func.count()).select_from(models.Response).filter_by(round_id=rnd.id)
        assert rnd.imported_from == "import-example.csv" and session.scalar(count) == 12
    assert blocked == []
