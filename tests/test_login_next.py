"""After log-in the browser goes back to the page it asked for, and only to a page of this
site that the router knows: hostile `next` values (other hosts spelled with backslashes,
tabs, line breaks, encodings, schemes or look-alike characters) lead to the front page,
never off the site and never to a 500, on the page for a logged-in visitor, through the
log-in form's hidden field and through the code step."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from builders import PASSWORD, csrf_token, enrol, log_in, make_round, make_user

HOSTILE = [
    "/\t/evil.example/phish",  # the attack as found: %2F%09%2F
    "/\r\n/evil.example",  # was a 500
    "/\n/evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    " //evil.example",
    "\t//evil.example",
    "\x00//evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "HTTPS:\\\\evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%09/evil.example",
    "/%0D%0A/evil.example",
    "/\u3000/evil.example",  # ideographic space
    "/\u00a0/evil.example",  # no-break space
    "/\u2028/evil.example",  # line separator
    "/\u200b/evil.example",  # zero-width space
    "\uff0f\uff0fevil.example",  # fullwidth solidus
    "/\uff0fevil.example",
    "/no-such-page",
    "/logout",  # a page, but not one to land on (POST only)
    "/f/norrsund\x00",
    "/" + "a" * 3000,
]
SAFE = {
    "/f/norrsund": "/f/norrsund",
    "/f/norrsund/report?round=2026": "/f/norrsund/report?round=2026",
    "/f/norr\tsund": "/f/norrsund",  # read as a browser reads it
    " /admin/ ": "/admin/",
    "/admin": "/",  # the router would redirect it: not a page as it stands
}


@pytest.fixture
def admin(app, db):
    app.extensions["survey_limiter"].enabled = False  # dozens of log-ins from one address
    make_round(db)
    return make_user(db, "admin@norrsund.se", "forbund_admin", "norrsund")


def post_log_in(client, target: str, *, forged: bool):
    """The log-in form as served for `?next=target`, sent with the right password and
    the `next` the form carries (as a browser sends it) or `target` itself (forged).
    Returns what the form carried and where the log-in led (or its status if refused:
    a forged control character is refused before the log-in, survey/web/form_text.py)."""
    form = client.get("/login", query_string={"next": target})
    assert form.status_code == 200
    shown = re.search(r'name="next" value="([^"]*)"', form.text).group(1).replace("&amp;", "&")
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(form.text),
            "email": "admin@norrsund.se",
            "password": PASSWORD,
            "next": target if forged else shown,
        },
    )
    if response.status_code != 302:
        return shown, response.status_code
    return shown, response.headers["Location"]


def test_a_logged_in_visitor_of_the_log_in_page_stays_on_the_site(client, admin):
    assert log_in(client, "admin@norrsund.se").status_code == 302
    landed = {t: client.get("/login", query_string={"next": t}) for t in HOSTILE}
    assert {t: (r.status_code, r.headers.get("Location")) for t, r in landed.items()} == {
        t: (302, "/") for t in HOSTILE
    }
    for query in ("next=%2F%ED%A0%80", "next=%2F%C0%AF%2Fevil.example", "next=%2F%FF"):
        response = client.get(f"/login?{query}")  # a lone surrogate, bad UTF-8
        assert response.status_code == 302 and response.headers["Location"] == "/"


def test_the_log_in_form_carries_no_hostile_next_and_lands_on_the_front_page(app, admin):
    as_sent = {t: post_log_in(app.test_client(), t, forged=False) for t in HOSTILE}
    assert as_sent == {t: ("", "/") for t in HOSTILE}
    forged = {t: post_log_in(app.test_client(), t, forged=True) for t in HOSTILE}
    assert {t: where in ("/", 400) for t, (_shown, where) in forged.items()} == {
        t: True for t in HOSTILE
    }


def test_a_page_of_this_site_is_where_the_log_in_leads(app, admin):
    outcome = {t: post_log_in(app.test_client(), t, forged=False) for t in SAFE}
    shown = {t: "" if landing == "/" else landing for t, landing in SAFE.items()}
    assert outcome == {t: (shown[t], landing) for t, landing in SAFE.items()}


def test_the_code_step_takes_the_same_care(client, db, admin):
    secret, _codes = enrol(db, admin)
    assert post_log_in(client, "/\\evil.example/phish", forged=True) == ("", "/login/code")
    page = client.get("/login/code")
    code = pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    response = client.post("/login/code", data={"csrf_token": csrf_token(page.text), "code": code})
    assert response.status_code == 302 and response.headers["Location"] == "/"
