"""A board member makes an API token in a real browser: from the header's link to the
tokens page, the form, the token shown once, a call with it, and revoking it; the page and
the API's own documentation page pass axe-core without a serious violation."""

from __future__ import annotations

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from builders import make_round
from conftest import signed_in_browser
from test_browser_respond import assert_accessible

pytestmark = pytest.mark.browser


def test_a_board_member_makes_uses_and_revokes_a_token(live_server, page):
    with live_server.app.extensions["survey_sessions"]() as db:
        make_round(db, state="published")
    axe = Axe()
    signed_in_browser(page, live_server, "board", "norrsund")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="API-nycklar").click()
    assert page.get_by_role("heading", level=1).inner_text() == "API-nycklar"
    assert_accessible(axe, page)
    page.get_by_label("Namn").fill("Trend till Excel")
    page.get_by_role("button", name="Skapa nyckel").click()
    secret = page.locator("#new-token").inner_text()
    assert secret.startswith("smk_")
    page.goto(live_server.url + "/account/tokens")  # the token is never shown again
    assert page.locator("#new-token").count() == 0
    assert "Trend till Excel" in page.content()

    api = f"{live_server.url}/api/v1/forbund/norrsund/rounds"
    answer = requests.get(api, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["rounds"][0]["label"] == "2026"
    page.goto(live_server.url + "/account/tokens")
    assert "aldrig" not in page.locator("tbody").inner_text()  # its last use is listed

    page.get_by_role("button", name="Återkalla").click()
    assert "återkallad" in page.locator("tbody").inner_text()
    refused = requests.get(api, headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "revoked_token"

    page.goto(live_server.url + "/api/v1/docs")
    assert_accessible(axe, page)
    assert page.csp_violations == [] and page.console_errors == []
