"""The files the pages load (survey/static/ and plotly.js), with a version in their address.

Every `url_for("static", …)` and `url_for("plotly_js")` carries `?v=` and the first 12 hex
digits of the file's SHA-256, so a proxy (deploy/nginx) and the browsers may keep them for
a year: a changed file gets a new address. `survey collect-static` copies the same files,
with a gzip copy beside each, into the folder nginx serves them from.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

import plotly
from flask import Flask, send_file

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: One day when the app serves them itself (`survey serve`, or no proxy in front).
APP_MAX_AGE = 86400


def files(app: Flask) -> dict[str, Path]:
    """Address (without the leading slash) -> file, for every file the pages may load."""
    static = Path(app.static_folder or "")
    found = {
        f"static/{path.relative_to(static).as_posix()}": path
        for path in sorted(static.rglob("*"))
        if path.is_file()
    }
    found["vendor/plotly.min.js"] = PLOTLY_JS
    return found


@functools.cache
def fingerprint(path: Path) -> str | None:
    """The file's version, None where there is no such file. Read once per process: an
    upgrade restarts (or reloads) the server processes."""
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@functools.cache
def _static_fingerprint(static_folder: str, filename: str) -> str | None:
    """`fingerprint` by name: every page asks for the same few files (no path made each time)."""
    return fingerprint(Path(static_folder) / filename)


def init_assets(app: Flask) -> None:
    app.extensions["survey_assets"] = files(app)

    @app.get("/vendor/plotly.min.js")
    def plotly_js():  # served by us: the pages must work with no CDN and no internet
        return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=APP_MAX_AGE)

    static = app.static_folder or ""

    @app.url_defaults
    def versioned(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            version = _static_fingerprint(static, values["filename"])
        elif endpoint == "plotly_js":
            version = fingerprint(PLOTLY_JS)
        else:
            return
        if version:
            values.setdefault("v", version)
