"""The board report as a PDF, printed on the server by headless Chromium through Playwright.

Chromium loads the report as the signed-in user sees it (the HTML this request rendered),
with its stylesheet, board.js and plotly.js answered from the app itself through request
interception: no network, no cookie, no second request through the access table. Bounded:
one PDF at a time per server process (a second waits a little, then gets a page saying so),
a time limit on each step, and a rate limit per address on the route. Where Chromium or
Playwright is absent, the report offers the browser's own print instead.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from survey.errors import PdfUnavailable

#: The address Chromium is told the report has; nothing is ever sent to it.
ORIGIN = "http://report.invalid"
#: How long a request waits for another PDF to finish, and how long each step may take.
WAIT_SECONDS = 20
STEP_MS = 30_000
#: Chromium flags for a server: no sandbox (it runs as the service user, often in a
#: container), no GPU, nothing fetched in the background.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
#: Every chart drawn: the PDF is printed only then.
CHARTS_DRAWN = (
    "() => Array.from(document.querySelectorAll('.plot'))"
    ".every(p => p.querySelector('svg.main-svg'))"
)

_one_at_a_time = threading.BoundedSemaphore(1)
_MARGIN_STYLE = "font: 8pt system-ui, sans-serif; color: #444; width: 100%; margin: 0 15mm;"


@dataclass(frozen=True)
class Running:
    """What every printed page carries: the förbund and round at the top; the page number
    of the total and the date printed at the bottom (words in the page's language)."""

    title: str  # "Norrsunds samordningsförbund – mätomgång 2026"
    page_of: str  # "Sida %(page)s av %(pages)s", placeholders filled in by Chromium
    printed: str  # "Utskriven 2026-12-07"

    def header(self) -> str:
        return f'<div style="{_MARGIN_STYLE}">{escape(self.title)}</div>'

    def footer(self) -> str:
        numbers = escape(self.page_of) % {
            "page": '<span class="pageNumber"></span>',
            "pages": '<span class="totalPages"></span>',
        }
        return (
            f'<div style="{_MARGIN_STYLE} display: flex; justify-content: space-between;">'
            f"<span>{escape(self.printed)}</span><span>{numbers}</span></div>"
        )


def available(chromium_path: str) -> bool:
    """Whether this server can print PDFs: Chromium at the configured path, and Playwright."""
    return Path(chromium_path).is_file() and importlib.util.find_spec("playwright") is not None


def report_pdf(app: Flask, html: str, chromium_path: str, running: Running) -> bytes:
    """The report page `html` printed on A4 portrait, as Chromium prints it for a user,
    with `running` at the top and bottom of every page."""
    if not _one_at_a_time.acquire(timeout=WAIT_SECONDS):
        raise PdfUnavailable("busy")
    try:
        return _print(app, html, chromium_path, running)
    except PdfUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of the browser: offer print
        app.logger.warning("the board report PDF failed: %s", exc)
        raise PdfUnavailable("failed") from exc
    finally:
        _one_at_a_time.release()


def _print(app: Flask, html: str, chromium_path: str, running: Running) -> bytes:
    from playwright.sync_api import sync_playwright

    assets = app.test_client()  # static files and plotly.js: open to anyone, no session

    def answer(route) -> None:
        path = urlsplit(route.request.url).path
        if route.request.url.startswith(ORIGIN + "/report"):
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        elif path.startswith("/static/") or path == "/vendor/plotly.min.js":
            found = assets.get(path)
            route.fulfill(status=found.status_code, body=found.data, content_type=found.mimetype)
        else:
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=ARGS)
        try:
            # The printable width of A4 at 96 dpi, so the page lays out as it will print.
            page = browser.new_page(viewport={"width": 794, "height": 1123})
            page.set_default_timeout(STEP_MS)
            page.route("**/*", answer)
            page.goto(ORIGIN + "/report")
            page.wait_for_function(CHARTS_DRAWN)
            return page.pdf(
                format="A4",
                print_background=True,
                prefer_css_page_size=True,
                display_header_footer=True,
                header_template=running.header(),
                footer_template=running.footer(),
            )
        finally:
            browser.close()
