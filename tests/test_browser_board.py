"""The board pages in Chromium: charts drawn by plotly.js from the app, interactive, and
downloadable as PNG, with no console errors and no axe-core accessibility violations."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from builders import default_questionnaire
from conftest import signed_in_browser

from survey import demo

pytestmark = pytest.mark.browser

NORRSUND = "Norrsunds samordningsförbund (demo)"


@pytest.fixture
def demo_server(live_server):
    with live_server.app.extensions["survey_sessions"]() as session:
        demo.build_demo(session, default_questionnaire(session), dt.date.today())
        session.commit()
    return live_server


@pytest.fixture
def page(page, demo_server):
    """The board pages need a signed-in user: a system administrator's browser."""
    return signed_in_browser(page, demo_server)


def legend(page, div_id: str) -> list[str]:
    return page.locator(f"#{div_id} .legend .legendtext").all_text_contents()


def test_dashboard_radars_render_and_download_as_png(demo_server, page):
    page.goto(f"{demo_server.url}/f/demo-norrsund")
    page.wait_for_selector("#radar .main-svg")
    # The radar vs the national reference: two traces, drawn as SVG paths.
    assert page.locator("#radar .scatterlayer .trace").count() == 2
    assert legend(page, "radar") == [NORRSUND, "Riksreferens (varje förbund väger lika)"]
    assert page.locator("#radar .scatterlayer .trace path.js-line").count() == 2
    # Round by round: one trace per round.
    year = dt.date.today().year - 1  # the latest published round; this year's is open
    assert legend(page, "trend") == [str(year - 1), str(year)]
    # By role: only roles with something to show get a trace; the table names the rest.
    shown_roles = legend(page, "roles")
    assert shown_roles and "Handläggare / medarbetare i insats" in shown_roles
    assert page.locator("#roles-table .mark").count() > 0  # a short mark, explained below
    assert page.locator("#distribution .barlayer .trace").count() == 6

    # Interactive: a point of the förbund has a tooltip with its value and n.
    page.evaluate("Plotly.Fx.hover('radar', [{curveNumber: 0, pointNumber: 2}], 'polar')")
    page.wait_for_selector("#radar .hoverlayer .hovertext", timeout=5000)
    tooltip = page.locator("#radar .hoverlayer").text_content()
    assert NORRSUND in tooltip and "n = " in tooltip

    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner diagrammet som PNG").first.click()
    assert download.value.suggested_filename == f"samverkansmataren-demo-norrsund-{year}-radar.png"
    assert Axe().run(page).violations_count == 0
    assert page.console_errors == []  # CSP violations included
    assert page.csp_violations == []


def test_comparison_draws_peers_and_heat_map(demo_server, page):
    year = dt.date.today().year - 1  # the latest published round
    page.goto(f"{demo_server.url}/compare?round={year}&f=demo-norrsund&peer=demo-alvdalen")
    page.wait_for_selector("#heatmap .main-svg")
    assert legend(page, "peers") == [
        NORRSUND,
        "Riksreferens (varje förbund väger lika)",
        "Älvdalens samordningsförbund (demo)",
    ]
    # Nine förbund and the national reference, each with a row of cells.
    assert page.locator("#heatmap .hm image").count() == 1
    labels = page.locator("#heatmap .yaxislayer-above text").all_text_contents()
    assert len(labels) == 10 and "Riksreferens (varje förbund väger lika)" in labels
    assert Axe().run(page).violations_count == 0
    assert page.console_errors == []  # CSP violations included
    assert page.csp_violations == []
