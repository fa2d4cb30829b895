"""The printable board report on A4 portrait: nothing cut at the paper's edge at any window
width, a PDF made on the server by headless Chromium, the browser's print where Chromium
is absent, and the PDF route bounded (one at a time, rate-limited)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from builders import add_response, all_items, close_and_publish, make_round
from conftest import make_app, signed_in, signed_in_browser

from survey.db.schema import create_schema
from survey.web.board import pdf

#: A4 is 210 mm wide; the report's @page margins are 15 mm: 180 mm = 680 CSS px at 96 dpi.
PRINTABLE_WIDTH = 180 / 25.4 * 96
BOXES = """() => Array.from(document.querySelectorAll(
    '.js-plotly-plot, svg.main-svg, table.stats, .board h2, .glance'
)).map(el => {
    const box = el.getBoundingClientRect();
    return {what: el.id || el.className.baseVal || el.className, left: box.left, right: box.right};
})"""
DRAWN_WIDTHS = (
    "() => Array.from(document.querySelectorAll('svg.main-svg')).map(s => s.width.baseVal.value)"
)


ROLES = ["handlaggare"] * 6 + ["chef"] * 5 + ["styrelse", "beredningsgrupp"] * 3


@pytest.fixture
def report_server(live_server):
    """Norrsund's rounds 2025 (version 1) and 2026 (version 2), enough answers for every
    chart of the report to have something to draw."""
    with live_server.app.extensions["survey_sessions"]() as db:
        for label, version in (("2025", 1), ("2026", 2)):
            rnd = make_round(db, label=label, version=version)
            for i, role in enumerate(ROLES):
                agency = ("fk", "af", "kommun")[i % 3]
                answers = all_items(db, rnd, lambda item, i=i: 1 + (i + len(item.code)) % 5)
                add_response(db, rnd, answers, role=role, agency=agency)
            close_and_publish(db, rnd)
    return live_server


def use_chromium(server, path: str) -> None:
    settings = server.app.extensions["survey"]
    server.app.extensions["survey"] = dataclasses.replace(settings, chromium_path=path)


@pytest.mark.browser
def test_the_report_fits_a4_and_downloads_as_pdf(report_server, page, monkeypatch):
    signed_in_browser(page, report_server)
    report = f"{report_server.url}/f/norrsund/report"
    for width in (1366, 1920):
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(report)
        page.wait_for_function(pdf.CHARTS_DRAWN)
        drawn = page.evaluate(DRAWN_WIDTHS)
        # Printing does not redraw a chart: each is drawn no wider than the paper.
        assert drawn and max(drawn) <= PRINTABLE_WIDTH, (width, drawn)
        assert page.pdf(format="A4")[:5] == b"%PDF-"
        # The page laid out as the printer lays it out: print media, the printable width.
        page.emulate_media(media="print")
        page.set_viewport_size({"width": round(PRINTABLE_WIDTH), "height": 1000})
        assert page.evaluate(DRAWN_WIDTHS) == drawn  # not redrawn for the narrower page
        for box in page.evaluate(BOXES):
            assert box["left"] >= 0 and box["right"] <= PRINTABLE_WIDTH + 0.5, (width, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= PRINTABLE_WIDTH + 0.5

    # Chromium exists here: the report offers a PDF made on the server.
    page.emulate_media(media="screen")
    page.goto(report)
    href = page.get_by_role("link", name="Ladda ner som PDF").get_attribute("href")
    made = page.request.get(report_server.url + href)
    assert made.status == 200 and made.headers["content-type"] == "application/pdf"
    disposition = made.headers["content-disposition"]
    assert "samverkansmataren-styrelserapport-norrsund-2026.pdf" in disposition
    body = made.body()
    assert body[:5] == b"%PDF-" and len(re.findall(rb"/Type\s*/Page\b", body)) >= 3
    assert page.console_errors == [] and page.csp_violations == []

    # Another PDF being printed: this one waits a moment, then a page says so.
    monkeypatch.setattr(pdf, "WAIT_SECONDS", 0.05)
    assert pdf._one_at_a_time.acquire(timeout=1)
    try:
        busy = page.request.get(report_server.url + href)
    finally:
        pdf._one_at_a_time.release()
    assert busy.status == 503 and "En annan PDF görs just nu" in busy.text()

    # No Chromium: the browser's print instead, and no PDF route to follow.
    use_chromium(report_server, "/nonexistent/chromium")
    page.goto(report)
    assert page.get_by_role("link", name="Ladda ner som PDF").count() == 0
    assert page.get_by_role("button", name="Skriv ut").is_visible()
    assert page.request.get(report_server.url + href).status == 404


def test_the_pdf_route_is_rate_limited(database_url, tmp_path):
    app = make_app(database_url, tmp_path, RATE_LIMIT_PDF="1/minute", CHROMIUM_PATH="/none")
    create_schema(app.extensions["survey_engine"])
    client = signed_in(app, app.test_client())
    assert client.get("/f/norrsund/report.pdf").status_code == 404  # no Chromium here
    second = client.get("/f/norrsund/report.pdf")
    assert second.status_code == 429 and "Retry-After" in second.headers
