"""The headers every response carries, the session cookie's flags, HSTS only over HTTPS,
and X-Forwarded-* trusted only from as many proxies as TRUSTED_PROXIES says."""

from __future__ import annotations

import pytest
from builders import add_response, invite, make_round
from conftest import make_app
from flask import request

from survey.db.schema import create_schema
from survey.settings import Settings
from survey.web.security import HSTS


@pytest.fixture
def client(admin_client):
    """Board pages and downloads need a signed-in user: a system administrator's browser
    (who may use which route: tests/test_access.py)."""
    return admin_client


STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CHARTS_CSP = STRICT_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


@pytest.fixture
def token(db) -> str:
    rnd = make_round(db, state="published")  # figures to draw on the board's pages
    for v in range(1, 6):
        add_response(db, rnd, {"STYR1": v})
    return invite(db, make_round(db, label="2027"))[0]  # an open round to answer


def pages(token: str) -> dict[str, str]:
    """One address of each kind of response -> the CSP it must carry."""
    return {
        "/": STRICT_CSP,
        f"/r/{token}": STRICT_CSP,
        "/r/not-a-link": STRICT_CSP,
        "/f/norrsund": CHARTS_CSP,  # plotly.js needs inline styles, and only its pages
        "/f/norrsund/items": CHARTS_CSP,
        "/f/norrsund/report": CHARTS_CSP,
        "/compare?round=2026": CHARTS_CSP,
        "/f/norrsund/data.json": STRICT_CSP,
        "/export/norrsund/2026.xlsx": STRICT_CSP,
        "/export/research.csv": STRICT_CSP,
        "/static/style.css": STRICT_CSP,
        "/vendor/plotly.min.js": STRICT_CSP,
        "/nowhere": STRICT_CSP,
    }


def test_every_response_carries_the_security_headers(client, token):
    for url, csp in pages(token).items():
        resp = client.get(url)
        assert resp.status_code in (200, 404), url
        assert resp.headers["Content-Security-Policy"] == csp, url
        assert resp.headers["X-Frame-Options"] == "DENY", url
        assert resp.headers["X-Content-Type-Options"] == "nosniff", url
        assert resp.headers["Referrer-Policy"] == "same-origin", url
        assert "Strict-Transport-Security" not in resp.headers, url  # plain HTTP


def test_hsts_only_over_https(client, token):
    for url in pages(token):
        resp = client.get(url, base_url="https://samverkan.test")
        assert resp.headers["Strict-Transport-Security"] == HSTS, url
    assert HSTS == "max-age=31536000; includeSubDomains"


def test_no_page_has_inline_script_or_event_handlers(client, token):
    """What the CSP forbids is not in the pages (the browser tests load them with it on)."""
    for url in ("/", f"/r/{token}", "/f/norrsund", "/f/norrsund/report", "/compare?round=2026"):
        text = client.get(url).text
        scripts = text.count("<script")
        assert scripts == text.count("<script src=") + text.count('<script type="application/json"')
        assert " onclick=" not in text and " onload=" not in text and "javascript:" not in text


def test_the_session_cookie_is_http_only_lax_and_secure_over_https(client, token):
    cookie = client.get("/?lang=en").headers["Set-Cookie"]  # the language is remembered
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # the tests' PUBLIC_URL is https://


def test_the_session_cookie_is_not_secure_on_a_plain_http_address(tmp_path):
    app = _app(tmp_path, PUBLIC_URL="http://127.0.0.1:5000")
    cookie = app.test_client().get("/?lang=en").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_forwarded_https_counts_only_behind_a_trusted_proxy(tmp_path):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = _app(tmp_path / "direct").test_client().get("/", headers=forwarded)
    assert "Strict-Transport-Security" not in direct.headers  # anyone can send the header
    proxied = _app(tmp_path / "proxied", TRUSTED_PROXIES="1")
    seen = {}
    proxied.before_request(lambda: seen.update(addr=request.remote_addr))
    resp = proxied.test_client().get("/", headers=forwarded)
    assert resp.headers["Strict-Transport-Security"] == HSTS
    assert seen["addr"] == "203.0.113.9"


@pytest.mark.parametrize("value", ["one", "-1", "1.5", "²"])
def test_trusted_proxies_must_be_a_count(tmp_path, value):
    with pytest.raises(ValueError, match="TRUSTED_PROXIES must be a number of proxies"):
        Settings.load(tmp_path, {"TRUSTED_PROXIES": value})
    assert Settings.load(tmp_path, {}).trusted_proxies == 0
    assert Settings.load(tmp_path, {"TRUSTED_PROXIES": 2}).trusted_proxies == 2


def _app(tmp_path, **config):
    """An app on an empty SQLite schema (headers need no data and no second database)."""
    app = make_app(f"sqlite:///{tmp_path / 'h.db'}", tmp_path, **config)
    create_schema(app.extensions["survey_engine"])
    return app
