"""The files the pages load carry their version in their address, so the proxy may let
browsers keep them for a year (deploy/nginx/samverkan.conf): a changed file, a new address."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import make_app
from flask import url_for

from survey.web.assets import PLOTLY_JS


def version(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_pages_name_their_files_with_the_files_version(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path)  # no page is served
    style = Path(app.static_folder) / "style.css"
    with app.test_request_context():
        assert url_for("static", filename="style.css") == f"/static/style.css?v={version(style)}"
        assert url_for("plotly_js") == f"/vendor/plotly.min.js?v={version(PLOTLY_JS)}"
        # A name that is no file keeps a plain address (the app answers 404 for it).
        assert url_for("static", filename="missing.css") == "/static/missing.css"
    app.extensions["survey_engine"].dispose()
