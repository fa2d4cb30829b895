"""A person logs in through a SAML IdP in Chromium: the pysaml2 IdP of tests/saml_idp.py
served on loopback, our log-in page lists it, our signed AuthnRequest takes the browser
there, its page posts the signed answer to our ACS, and the app comes back logged in; log-
out ends at the IdP's single logout (through our page that leads on, not a redirect the
pages' CSP form-action would stop)."""

from __future__ import annotations

import threading

import pytest
from builders import make_round, make_user
from conftest import require_program, serve
from saml_idp import LOA3, TestIdp, key_pair, sha256_of, wsgi_app
from werkzeug.serving import make_server

require_program("xmlsec1", "apt-get install -y xmlsec1")  # pysaml2 signs with it

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EMAIL = "anna@region.test"


@pytest.fixture
def idp_server(tmp_path):
    holder: dict = {}
    server = make_server("127.0.0.1", 0, wsgi_app(holder, {"mail": EMAIL}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.holder = holder
    server.entity_id = f"http://127.0.0.1:{server.server_port}/idp"
    server.keys = key_pair(tmp_path / "idp-keys", "idp")
    yield server
    server.shutdown()


@pytest.fixture
def server(tmp_path, idp_server):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "federation.yaml").write_text(
        "providers:\n"
        "  - id: region\n"
        "    kind: saml\n"
        "    display_name: Region Norrsund (SITHS)\n"
        "    email_attribute: mail\n"
        f"    two_factor_assurance: [{LOA3}]\n"
        "    saml:\n"
        f"      entity_id: {idp_server.entity_id}\n"
        "      metadata: idp.xml\n"
        f'      signing_certificate_sha256: "{sha256_of(idp_server.keys[1])}"\n',
        encoding="utf-8",
    )
    for server in serve(tmp_path):
        ours = server.app.test_client().get("/auth/saml/metadata").text
        idp = TestIdp(idp_server.keys, ours, entity_id=idp_server.entity_id)
        (instance / "idp.xml").write_text(idp.metadata(), encoding="utf-8")
        idp_server.holder["idp"] = idp
        yield server


def test_log_in_and_out_through_the_saml_idp(server, idp_server, page):
    with server.app.extensions["survey_sessions"]() as session:
        make_round(session)
        make_user(session, EMAIL, "board", "norrsund")
    page.goto(server.url + "/login")
    with page.expect_navigation():
        page.get_by_role("link", name="Region Norrsund (SITHS)").click()
    assert page.url.startswith(idp_server.entity_id + "/sso?SAMLRequest=")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Logga in som {EMAIL}").click()
    assert page.url.rstrip("/") == server.url
    assert EMAIL in page.locator("header").inner_text()
    assert page.csp_violations == []

    # Log-out: our session ends, our page leads on to the IdP's single logout (the test
    # IdP answers 404 there: it keeps no sessions; tests/test_saml.py checks the exchange).
    with page.expect_navigation(url=lambda url: url.startswith(idp_server.entity_id + "/slo?")):
        page.get_by_role("button", name="Logga ut").click()
    assert page.csp_violations == []
    page.goto(server.url + "/f/norrsund")
    assert "/login" in page.url
