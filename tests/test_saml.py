"""SAML 2.0 log-in against a real IdP (tests/saml_idp.py: pysaml2's Server with its own key
made at test time), on both databases: the IdP reads our signed AuthnRequest, answers with
a signed assertion, and the browser (the Flask test client) posts it to our ACS. Each
refusal is a real signed message with one fault: another audience, an expired assertion,
an assertion used twice, a signature by another key or over a changed text, a person
nobody invited. Single logout both ways."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from builders import PASSWORD, csrf_token, enrol, make_round, make_user
from conftest import PUBLIC_URL, fresh_app, make_app, require_program
from saml2.ident import decode
from saml_idp import (
    ENTITY_ID,
    LOA2,
    LOA3,
    TestIdp,
    key_pair,
    logout_request,
    logout_response,
    query_of,
    read_logout_request,
    sha256_of,
    tampered,
)
from sqlalchemy import select

from survey.accounts import services as accounts
from survey.db import audit, models
from survey.federation.saml import keys

require_program("xmlsec1", "apt-get install -y xmlsec1")  # pysaml2 signs with it

EMAIL = "anna@region.test"
ACS = f"{PUBLIC_URL}/auth/saml/acs"
SLO = f"{PUBLIC_URL}/auth/saml/slo"
CONFIG = """
providers:
  - id: region
    kind: saml
    display_name: Region Norrsund (SITHS)
    identifier: nameid
    email_attribute: mail
    two_factor_assurance: [{loa3}]
    saml:
      entity_id: {entity_id}
      metadata: idp.xml
      signing_certificate_sha256: "{pin}"
      authn_context: [{loa3}]
      entity_categories: [http://id.elegnamnden.se/ec/1.0/loa3-pnr]
"""


@pytest.fixture(scope="session")
def key_files(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Key pairs made once per test process: ours (the SP's), the IdP's, a stranger's."""
    folder = tmp_path_factory.mktemp("saml-keys")
    ours = keys.make(keys.KeyPair(folder / "sp-key.pem", folder / "sp-cert.pem"), "samverkan.test")
    return {
        "sp": (ours.key_file, ours.cert_file),
        "idp": key_pair(folder, "idp"),
        "stranger": key_pair(folder, "stranger"),
    }


@dataclass
class Peers:
    app: object
    client: object
    idp: TestIdp
    instance: Path

    def db(self):
        return self.app.extensions["survey_sessions"]()

    def start(self, **query):
        """Our log-in link: the redirect to the IdP, and the request as the IdP reads it."""
        started = self.client.get("/login/saml/region", query_string=query)
        assert started.status_code == 302, started.text
        assert started.headers["Location"].startswith(f"{ENTITY_ID}/sso?")
        return self.idp.read_request(started.headers["Location"])

    def post(self, saml_response: str, relay: str = ""):
        return self.client.post(
            "/auth/saml/acs", data={"SAMLResponse": saml_response, "RelayState": relay}
        )

    def log_in(self, idp: TestIdp | None = None, **answer):
        request, relay = self.start()
        return self.post((idp or self.idp).response(request, **answer), relay or "")

    def logged_in(self) -> bool:
        return self.client.get("/f/norrsund").status_code == 200

    def audit(self, action: str) -> list[dict]:
        with self.db() as session:
            rows = session.scalars(select(models.AuditEvent).filter_by(action=action)).all()
            return [row.details or {} for row in rows]


def peers_for(database: str, tmp_path: Path, key_files, pin_key: str = "idp", **idp_options):
    instance = tmp_path / "instance"
    (instance / "saml").mkdir(parents=True)
    for source, name in zip(key_files["sp"], ("sp-key.pem", "sp-cert.pem"), strict=True):
        shutil.copy(source, instance / "saml" / name)
    (instance / "saml" / "sp-key.pem").chmod(0o600)
    (instance / "federation.yaml").write_text(
        CONFIG.format(loa3=LOA3, entity_id=ENTITY_ID, pin=sha256_of(key_files[pin_key][1]))
    )
    app = fresh_app(database, tmp_path)
    client = app.test_client()
    metadata = client.get("/auth/saml/metadata")
    assert metadata.status_code == 200
    idp = TestIdp(key_files["idp"], metadata.text, **idp_options)
    (instance / "idp.xml").write_text(idp.metadata())
    with app.extensions["survey_sessions"]() as session:
        make_round(session)
        make_user(session, EMAIL, "board", "norrsund")
    return Peers(app, client, idp, instance)


@pytest.fixture
def peers(fresh_database, tmp_path, key_files):
    found = peers_for(fresh_database, tmp_path, key_files)
    yield found
    found.app.extensions["survey_engine"].dispose()


def test_our_metadata_is_signed_and_names_our_addresses(peers):
    answer = peers.client.get("/auth/saml/metadata")
    assert answer.mimetype == "application/samlmetadata+xml"
    xml = answer.text
    assert f'entityID="{PUBLIC_URL}/auth/saml/metadata"' in xml
    assert f'Location="{ACS}"' in xml and f'Location="{SLO}"' in xml
    assert 'AuthnRequestsSigned="true"' in xml and 'WantAssertionsSigned="true"' in xml
    assert "SignatureValue" in xml  # signed with our key
    assert "http://id.elegnamnden.se/ec/1.0/loa3-pnr" in xml  # Sweden Connect's categories
    key = peers.instance / "saml" / "sp-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_person_logs_in_through_the_idp(peers):
    """The request is signed (the IdP checks it), asks for loa3, and the assertion logs in
    the invited user, linked by the e-mail the IdP vouches for; loa3 counts as two factors."""
    request, _relay = peers.start(next="/f/norrsund/items")
    assert request.requested_authn_context.authn_context_class_ref[0].text == LOA3
    assert request.assertion_consumer_service_url == ACS
    done = peers.post(peers.idp.response(request))
    assert done.status_code == 302, peers.audit("federated_login_failed")
    assert done.headers["Location"].endswith("/f/norrsund/items")
    assert peers.logged_in()
    with peers.db() as session:
        identity = session.scalar(select(models.FederatedIdentity))
        assert (identity.issuer, identity.subject) == (ENTITY_ID, "SE2321000016-0001")


def test_an_encrypted_assertion_is_read_with_our_key(peers):
    """Sweden Connect encrypts the (signed) assertion to the key in our metadata."""
    request, _relay = peers.start()
    answer = peers.idp.response(request, encrypt=True)
    assert b"EncryptedAssertion" in base64.b64decode(answer)
    assert peers.post(answer).status_code == 302
    assert peers.logged_in()


def test_a_second_log_in_finds_the_user_by_nameid_not_by_mail(peers):
    assert peers.log_in().status_code == 302
    peers.client.post("/logout", data={"csrf_token": _csrf(peers.client)})
    # The IdP now sends another address: the NameID still names the same person.
    assert peers.log_in(mail="anna.andersson@region.test").status_code == 302
    assert peers.logged_in()


def test_an_assertion_for_another_audience_is_refused(peers):
    answer = peers.log_in(audience="https://other.test/sp")
    assert answer.status_code == 400
    assert "kunde inte godtas" in answer.text  # the page never names the fault
    assert not peers.logged_in()
    assert any("Audience" in row.get("detail", "") for row in peers.audit("federated_login_failed"))


def test_an_expired_assertion_is_refused(fresh_database, tmp_path, key_files):
    """An IdP whose assertions were no longer valid ten minutes ago (beyond the 120 s skew)."""
    peers = peers_for(fresh_database, tmp_path, key_files, lifetime_minutes=-10)
    try:
        assert peers.log_in().status_code == 400
        assert not peers.logged_in()
        assert peers.audit("federated_login_failed")
    finally:
        peers.app.extensions["survey_engine"].dispose()


def test_an_assertion_is_used_once(peers):
    """A copy of the answer and of the browser's request cookie, posted again after the
    person logged out, is refused: the assertion's ID is kept until it expires."""
    request, _relay = peers.start()
    answer = peers.idp.response(request)
    cookie = peers.client.get_cookie("saml_request", path="/auth/saml")
    assert peers.post(answer).status_code == 302
    peers.client.post("/logout", data={"csrf_token": _csrf(peers.client)})
    assert not peers.logged_in()
    peers.client.set_cookie("saml_request", cookie.value, path="/auth/saml")
    again = peers.post(answer)
    assert again.status_code == 400
    assert not peers.logged_in()
    details = [row.get("detail", "") for row in peers.audit("federated_login_failed")]
    assert any("used before" in detail for detail in details)
    with peers.db() as session:
        assert session.scalar(select(models.SeenAssertion.expires_at)) is not None


def test_a_changed_assertion_is_refused(peers):
    request, _relay = peers.start()
    answer = tampered(peers.idp.response(request), "SE2321000016-0001", "SE2321000016-0666")
    assert peers.post(answer).status_code == 400
    assert not peers.logged_in()


def test_an_assertion_signed_by_another_key_is_refused(peers, key_files):
    """Someone else's IdP under the same entity id, with a key that is not pinned."""
    stranger = TestIdp(key_files["stranger"], peers.client.get("/auth/saml/metadata").text)
    assert peers.log_in(idp=stranger).status_code == 400
    assert not peers.logged_in()
    assert any(
        "signature" in r.get("detail", "").lower() for r in peers.audit("federated_login_failed")
    )


def test_metadata_with_an_unpinned_key_is_refused(fresh_database, tmp_path, key_files):
    """The IdP's metadata carries a key whose fingerprint is not the pinned one: no log-in
    through it at all, and `survey saml check` says which fingerprint it found."""
    peers = peers_for(fresh_database, tmp_path, key_files, pin_key="stranger")
    try:
        answer = peers.client.get("/login/saml/region")
        assert answer.status_code == 503
        checked = peers.app.test_cli_runner().invoke(args=["saml", "check"])
        assert checked.exit_code == 1
        assert sha256_of(key_files["idp"][1]) in checked.output and "REFUSED" in checked.output
    finally:
        peers.app.extensions["survey_engine"].dispose()


def test_an_answer_without_our_request_is_refused(peers):
    """No request cookie: started in another browser (or not by us), so not taken."""
    request, _relay = peers.start()
    answer = peers.idp.response(request)
    peers.client.delete_cookie("saml_request", path="/auth/saml")
    assert peers.post(answer).status_code == 400
    assert not peers.logged_in()


def test_a_person_nobody_invited_is_refused(peers):
    answer = peers.log_in(subject="SE2321000016-0999", mail="nobody@region.test")
    assert answer.status_code == 403
    assert not peers.logged_in()
    assert [r["reason"] for r in peers.audit("federated_login_failed")] == ["unknown_user"]


def test_loa2_does_not_count_as_two_factor_for_a_row_level_role(peers):
    with peers.db() as session:
        make_user(session, "forskare@region.test", "researcher")
    answer = peers.log_in(
        subject="SE2321000016-0002", mail="forskare@region.test", authn_context=LOA2
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(("/login/code", "/account/two-factor"))


def test_single_logout_we_start(peers):
    """Log-out ends our session, then sends the browser to the IdP with our signed
    LogoutRequest for the NameID and session index; the IdP's signed answer comes back."""
    assert peers.log_in().status_code == 302
    out = peers.client.post("/logout", data={"csrf_token": _csrf(peers.client)})
    assert out.status_code == 302 and out.headers["Location"].startswith("/auth/saml/logout?")
    assert not peers.logged_in()
    # A page of ours leads on (a redirect would meet the pages' CSP form-action).
    page = peers.client.get(out.headers["Location"])
    assert page.status_code == 200
    found = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', page.text)
    destination = html.unescape(found.group(1))
    assert destination.startswith(f"{ENTITY_ID}/slo?")
    assert f'href="{found.group(1)}"' in page.text  # and a link, should refresh be off
    request, relay = read_logout_request(peers.idp, destination)
    assert request.name_id.text == "SE2321000016-0001"
    assert request.session_index
    back = peers.client.get(
        "/auth/saml/slo", query_string=query_of(logout_response(peers.idp, request, relay, SLO))
    )
    assert back.status_code == 302 and back.headers["Location"].endswith("/login")
    page = peers.client.get("/login").text
    assert "organisation" in page or "organisations" in page


def test_single_logout_after_our_code_step(peers):
    """loa2 does not count as two factors: an account with an authenticator gives its code,
    and the SAML log-in's NameID survives the code step's new session for single logout."""
    with peers.db() as session:
        principal = accounts.authenticate(session, EMAIL, PASSWORD, audit.utcnow())
        secret, _codes = enrol(session, principal.principal)
    asked = peers.log_in(authn_context=LOA2)
    assert asked.headers["Location"] == "/login/code"
    page = peers.client.get("/login/code")
    code = pyotp.TOTP(secret).at(audit.utcnow().replace(tzinfo=dt.UTC) + dt.timedelta(seconds=30))
    done = peers.client.post(
        "/login/code", data={"csrf_token": csrf_token(page.text), "code": code}
    )
    assert done.status_code == 302 and peers.logged_in()
    out = peers.client.post("/logout", data={"csrf_token": _csrf(peers.client)})
    assert out.headers["Location"].startswith("/auth/saml/logout?")


def test_single_logout_the_idp_starts(peers):
    assert peers.log_in().status_code == 302
    assert peers.logged_in()
    name_id = decode(
        peers.client.get_cookie("session") and _session(peers)["saml_login"]["name_id"]
    )
    asked = logout_request(peers.idp, name_id, SLO, f"{PUBLIC_URL}/auth/saml/metadata")
    answer = peers.client.get("/auth/saml/slo", query_string=query_of(asked))
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith(f"{ENTITY_ID}/slo?")
    assert "SAMLResponse" in query_of(answer.headers["Location"])
    assert not peers.logged_in()


def test_single_logout_from_the_idp_ends_every_session_of_the_person(peers):
    """The IdP's LogoutRequest may come through another browser (or none of ours): every
    log-in session of the user linked to that NameID ends."""
    assert peers.log_in().status_code == 302
    name_id = decode(_session(peers)["saml_login"]["name_id"])
    elsewhere = peers.app.test_client()
    asked = logout_request(peers.idp, name_id, SLO, f"{PUBLIC_URL}/auth/saml/metadata")
    answer = elsewhere.get("/auth/saml/slo", query_string=query_of(asked))
    assert answer.headers["Location"].startswith(f"{ENTITY_ID}/slo?")
    assert not peers.logged_in()
    assert [r.get("provider") for r in peers.audit("logout")] == ["region"]


def test_an_unsigned_logout_request_is_refused(peers):
    assert peers.log_in().status_code == 302
    name_id = decode(_session(peers)["saml_login"]["name_id"])
    asked = logout_request(peers.idp, name_id, SLO, f"{PUBLIC_URL}/auth/saml/metadata")
    query = query_of(asked)
    del query["Signature"]
    assert peers.client.get("/auth/saml/slo", query_string=query).status_code == 400
    assert peers.logged_in()


def _session(peers) -> dict:
    with peers.client.session_transaction() as cookie:
        return dict(cookie)


def _csrf(client) -> str:
    return csrf_token(client.get("/").text)


def test_the_log_out_page_leads_only_where_we_signed(peers):
    forged = peers.client.get("/auth/saml/logout", query_string={"to": "https://evil.test/"})
    assert forged.status_code == 302 and forged.headers["Location"].endswith("/login")


def test_the_key_pair_and_metadata_commands(tmp_path):
    """`survey saml keys` makes our key (0600) once and keeps it; `survey saml metadata`
    writes the metadata a federation registers, naming that certificate."""
    app = make_app(f"sqlite:///{tmp_path / 'cli.db'}", tmp_path)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["saml", "keys"])
    assert made.exit_code == 0 and made.output.startswith("made ")
    key = tmp_path / "instance" / "saml" / "sp-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = key.read_bytes()
    kept = runner.invoke(args=["saml", "keys"])
    assert kept.output.startswith("kept ") and key.read_bytes() == first
    assert kept.output.splitlines()[-1] == made.output.splitlines()[-1]  # the fingerprint
    out = tmp_path / "sp.xml"
    written = runner.invoke(args=["saml", "metadata", "-o", str(out)])
    assert written.exit_code == 0, written.output
    cert = (tmp_path / "instance" / "saml" / "sp-cert.pem").read_text()
    body = "".join(cert.splitlines()[1:-1])
    assert body in "".join(out.read_text().split())
    assert f'entityID="{PUBLIC_URL}/auth/saml/metadata"' in out.read_text()
    renewed = runner.invoke(args=["saml", "keys", "--new"])
    assert renewed.output.startswith("made ") and key.read_bytes() != first
