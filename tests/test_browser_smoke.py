"""The skeleton in a real browser: the dashboard draws its radar with plotly.js from us."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import default_questionnaire
from conftest import signed_in_browser

from survey import demo

pytestmark = pytest.mark.browser


def test_dashboard_draws_the_radar_without_console_errors(live_server, page):
    with live_server.app.extensions["survey_sessions"]() as session:
        demo.build_demo(session, default_questionnaire(session), dt.date.today())
        session.commit()
    signed_in_browser(page, live_server)  # the board's pages need a signed-in user
    page.goto(f"{live_server.url}/f/demo-norrsund")
    page.wait_for_selector("#radar .main-svg")
    traces = page.locator("#radar .scatterlayer .trace")
    assert traces.count() == 2
    assert page.locator("#dimension-table tbody tr").count() == 10
    assert page.console_errors == []  # CSP violations included
    assert page.csp_violations == []
