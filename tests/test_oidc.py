"""OpenID Connect log-in against a real provider on loopback (survey/cli/dev_idp.py: its own
RSA key, discovery, JWKS, code flow with PKCE), through the app's pages with the Flask test
client, on SQLite and PostgreSQL. The provider is made to misbehave for the refusals; our
own code is not mocked."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pyotp
import pytest
import requests
from builders import csrf_token, enrol, logged_in_as, make_user
from conftest import PUBLIC_URL, fresh_app
from sqlalchemy import select

from survey.accounts import services as accounts
from survey.cli.dev_idp import LOA2, LOA3, Person, TestProvider
from survey.db import audit, models
from survey.federation import oidc
from survey.rounds.associations import create_association

ADMIN = Person("sub-admin", "admin@test.invalid", "Ada Admin")
BOARD = Person("sub-board", "board@test.invalid", "Bo Board")
STRANGER = Person("sub-stranger", "stranger@test.invalid", "Stina Stranger")
UNVERIFIED = Person("sub-unverified", "board@test.invalid", "Evil Eve", email_verified=False)
GROUPED = Person(
    "sub-grouped", "group@test.invalid", "Greta Group", claims={"groups": ["norrsund-styrelse"]}
)
UNGROUPED = Person("sub-ungrouped", "nogroup@test.invalid", "Nils", claims={"groups": ["x"]})


@pytest.fixture(scope="module")
def idp():
    provider = TestProvider([ADMIN, BOARD, STRANGER, UNVERIFIED, GROUPED, UNGROUPED])
    provider.serve()
    provider.redirect_prefixes = [f"{PUBLIC_URL}/login/oidc/"]
    yield provider
    provider.shutdown()


@pytest.fixture(autouse=True)
def _reset(idp):
    idp.faults.clear()
    idp.auto_login, idp.auto_acr = None, LOA2
    oidc.discovery.forget()


def federation_yaml(idp, linking="invite", password_login=True) -> str:
    roles = (
        "    roles:\n"
        "      - {attribute: groups, value: norrsund-styrelse, role: board, forbund: norrsund}\n"
        "      - {attribute: groups, value: norrsund-kansli, role: forbund_admin,"
        " forbund: norrsund}\n"
        if linking == "roles_from_attributes"
        else ""
    )
    return (
        f"password_login: {'true' if password_login else 'false'}\n"
        "providers:\n"
        "  - id: dev\n"
        "    kind: oidc\n"
        "    display_name: Region Testland\n"
        f"    two_factor_assurance: ['{LOA3}']\n"
        f"    linking: {linking}\n"
        f"{roles}"
        "    oidc:\n"
        f"      issuer: {idp.issuer}\n"
        f"      client_id: {idp.client_id}\n"
        f"      client_secret: {idp.client_secret}\n"
    )


def oidc_app(fresh_database, tmp_path, idp, **kw):
    instance = tmp_path / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "federation.yaml").write_text(federation_yaml(idp, **kw), encoding="utf-8")
    app = fresh_app(fresh_database, tmp_path)
    with app.extensions["survey_sessions"]() as session:
        create_association(session, "norrsund", "Norrsunds samordningsförbund")
        session.commit()
        make_user(session, ADMIN.email, "system_admin")
        make_user(session, BOARD.email, "board", "norrsund")
    return app


@pytest.fixture
def app(fresh_database, tmp_path, idp):
    app = oidc_app(fresh_database, tmp_path, idp)
    yield app
    app.extensions["survey_engine"].dispose()


@pytest.fixture
def db(app):
    with app.extensions["survey_sessions"]() as session:
        yield session


def through_provider(client, idp, person, acr=LOA2, state=None):
    """Start at our log-in, let the provider answer for `person`, come back: the response
    of our callback."""
    idp.auto_login, idp.auto_acr = person.sub, acr
    start = client.get("/login/oidc/dev")
    assert start.status_code == 302, start.text
    assert start.headers["Location"].startswith(f"{idp.issuer}/authorize?")
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(start.headers["Location"]).query)
    assert sent["code_challenge_method"] == ["S256"] and sent["nonce"] and sent["state"]
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urllib.parse.urlsplit(answer.headers["Location"])
    assert f"{back.scheme}://{back.netloc}" == PUBLIC_URL
    query = dict(urllib.parse.parse_qsl(back.query))
    if state is not None:
        query["state"] = state
    return client.get(back.path, query_string=query)


def audit_actions(db, action):
    db.expire_all()
    return list(db.scalars(select(models.AuditEvent).filter_by(action=action)))


def test_the_log_in_page_lists_the_provider_by_its_display_name(client):
    page = client.get("/login").text
    assert "Region Testland" in page and "/login/oidc/dev" in page
    assert 'name="password"' in page  # passwords stay on unless switched off


def test_an_invited_user_is_linked_by_the_verified_e_mail_then_found_by_subject(client, idp, db):
    done = through_provider(client, idp, BOARD)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert logged_in_as(client) == BOARD.email
    link = db.scalar(select(models.FederatedIdentity))
    assert (link.issuer, link.subject, link.provider_id) == (idp.issuer, BOARD.sub, "dev")
    [event] = audit_actions(db, "federated_login")
    assert event.actor == BOARD.email and event.details["linked"] is True
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    # The second time the subject finds the account, whatever e-mail the claims carry.
    renamed = Person(BOARD.sub, "renamed@test.invalid", "Bo", email_verified=False)
    idp.people[BOARD.sub] = renamed
    try:
        assert through_provider(client, idp, renamed).status_code == 302
    finally:
        idp.people[BOARD.sub] = BOARD
    assert logged_in_as(client) == BOARD.email
    assert [e.details["linked"] for e in audit_actions(db, "federated_login")] == [True, False]


def test_an_unknown_user_is_refused_and_the_refusal_is_audited(client, idp, db):
    refused = through_provider(client, idp, STRANGER)
    assert refused.status_code == 403
    assert "does not" in refused.text or "inte" in refused.text
    assert logged_in_as(client) is None
    [event] = audit_actions(db, "federated_login_failed")
    assert event.details["reason"] == "unknown_user"
    assert db.scalar(select(models.FederatedIdentity)) is None


def test_an_unverified_e_mail_does_not_link(client, idp, db):
    assert through_provider(client, idp, UNVERIFIED).status_code == 403
    assert db.scalar(select(models.FederatedIdentity)) is None
    [event] = audit_actions(db, "federated_login_failed")
    assert event.details["reason"] == "email_unverified"


@pytest.mark.parametrize(
    "fault", ["wrong_audience", "expired", "bad_signature", "wrong_nonce", "issued_in_future"]
)
def test_a_provider_answer_failing_a_check_is_refused(client, idp, db, fault):
    idp.faults.add(fault)
    refused = through_provider(client, idp, BOARD)
    assert refused.status_code == 400
    assert logged_in_as(client) is None
    [event] = audit_actions(db, "federated_login_failed")
    assert event.details["reason"] == "protocol"
    assert db.scalar(select(models.FederatedIdentity)) is None


def test_a_wrong_state_is_refused(client, idp, db):
    refused = through_provider(client, idp, BOARD, state="forged")
    assert refused.status_code == 400 and logged_in_as(client) is None
    [event] = audit_actions(db, "federated_login_failed")
    assert "state" in event.details["detail"]


def test_an_answer_without_a_request_from_this_browser_is_refused(client, idp, app):
    through_provider(client, idp, BOARD)  # a code for someone else's browser...
    other = app.test_client()
    refused = other.get("/login/oidc/dev/callback?code=x&state=y")
    assert refused.status_code == 400 and logged_in_as(other) is None


def test_loa3_counts_as_two_factor_and_no_code_is_asked(client, idp, db):
    done = through_provider(client, idp, ADMIN, acr=LOA3)
    assert done.headers["Location"] == "/"
    assert client.get("/admin/").status_code == 200  # no enrolment asked of this session
    [event] = audit_actions(db, "federated_login")
    assert event.details["two_factor"] is True
    assert "loggade in via dev" in client.get("/admin/audit").text


def test_without_loa3_a_row_level_role_enrols_or_gives_its_code(client, idp, db, app):
    done = through_provider(client, idp, ADMIN, acr=LOA2)
    assert done.headers["Location"] == "/account/two-factor"
    assert client.get("/admin/").headers["Location"] == "/account/two-factor"
    principal = accounts.authenticate(db, ADMIN.email, "correct horse battery", audit.utcnow())
    secret, _codes = enrol(db, principal.principal)
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/two-factor").text)})
    other = app.test_client()
    asked = through_provider(other, idp, ADMIN, acr=LOA2)
    assert asked.headers["Location"] == "/login/code"
    page = other.get("/login/code")
    # The next time step's code: the enrolment spent this one's (the window takes one more).
    code = pyotp.TOTP(secret).at(audit.utcnow().replace(tzinfo=dt.UTC) + dt.timedelta(seconds=30))
    done = other.post("/login/code", data={"csrf_token": csrf_token(page.text), "code": code})
    assert done.status_code == 302 and logged_in_as(other) == ADMIN.email


def test_log_out_ends_our_session_and_the_providers(client, idp):
    through_provider(client, idp, BOARD)
    out = client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    assert out.headers["Location"].startswith(f"{idp.issuer}/logout?")
    back = requests.get(out.headers["Location"], allow_redirects=False, timeout=10)
    assert back.headers["Location"] == f"{PUBLIC_URL}/login"
    assert logged_in_as(client) is None


def test_roles_from_attributes(fresh_database, tmp_path, idp):
    app = oidc_app(fresh_database, tmp_path, idp, linking="roles_from_attributes")
    client = app.test_client()
    try:
        assert through_provider(client, idp, GROUPED).status_code == 302
        assert client.get("/f/norrsund").status_code not in (302, 403)
        with app.extensions["survey_sessions"]() as db:
            user = db.scalar(select(models.User).filter_by(email=GROUPED.email))
            assert [(m.role, m.association.slug) for m in user.memberships] == [
                ("board", "norrsund")
            ]
        # The attributes change at the provider: so do the roles, at the next log-in.
        moved = Person(GROUPED.sub, GROUPED.email, "Greta", claims={"groups": ["norrsund-kansli"]})
        idp.people[GROUPED.sub] = moved
        try:
            assert through_provider(app.test_client(), idp, moved).status_code == 302
        finally:
            idp.people[GROUPED.sub] = GROUPED
        with app.extensions["survey_sessions"]() as db:
            user = db.scalar(select(models.User).filter_by(email=GROUPED.email))
            assert [m.role for m in user.memberships] == ["forbund_admin"]
            # The first session (as a board member) ended with the role it had.
            assert client.get("/f/norrsund").status_code == 302
        refused = through_provider(app.test_client(), idp, UNGROUPED)
        assert refused.status_code == 403
        with app.extensions["survey_sessions"]() as db:
            assert db.scalar(select(models.User).filter_by(email=UNGROUPED.email)) is None
    finally:
        app.extensions["survey_engine"].dispose()


def test_password_log_in_switched_off(fresh_database, tmp_path, idp):
    app = oidc_app(fresh_database, tmp_path, idp, password_login=False)
    client = app.test_client()
    try:
        page = client.get("/login").text
        assert 'name="password"' not in page and "Region Testland" in page
        assert through_provider(client, idp, BOARD).status_code == 302
        assert logged_in_as(client) == BOARD.email
        # A password posted anyway (with a valid form token) is refused, whoever asks.
        form = {"csrf_token": csrf_token(client.get("/").text), "email": ADMIN.email}
        refused = client.post("/login", data={**form, "password": "correct horse battery"})
        assert refused.status_code == 403
        assert logged_in_as(client) == BOARD.email
    finally:
        app.extensions["survey_engine"].dispose()


def test_an_account_linked_to_one_subject_is_not_opened_by_another(client, idp, db, app):
    assert through_provider(client, idp, BOARD).status_code == 302
    impostor = Person("sub-impostor", BOARD.email, "Bo Again")  # the address, reassigned
    idp.people[impostor.sub] = impostor
    try:
        refused = through_provider(app.test_client(), idp, impostor)
    finally:
        del idp.people[impostor.sub]
    assert refused.status_code == 403
    [event] = audit_actions(db, "federated_login_failed")
    assert event.details["reason"] == "linked_elsewhere"


def test_a_locked_account_is_refused_through_the_provider_too(client, idp, db):
    user = db.scalar(select(models.User).filter_by(email=BOARD.email))
    user.locked_until = audit.utcnow() + dt.timedelta(minutes=10)
    db.commit()
    assert through_provider(client, idp, BOARD).status_code == 403
    assert logged_in_as(client) is None
    [event] = audit_actions(db, "federated_login_failed")
    assert event.details["reason"] == "locked"
    db.expire_all()
    assert db.scalar(select(models.FederatedIdentity)) is None  # a refusal writes no link


def test_a_password_posted_while_passwords_are_off_is_audited(fresh_database, tmp_path, idp):
    """The refusal is in the audit log as every other refused log-in, naming the account
    asked for (when there is one) and never what was typed as the password."""
    app = oidc_app(fresh_database, tmp_path, idp, password_login=False)
    client = app.test_client()
    try:
        # A page with a form token: someone logged in through the provider.
        assert through_provider(client, idp, BOARD).status_code == 302
        for email in (ADMIN.email, "nobody@test.invalid"):
            form = {"csrf_token": csrf_token(client.get("/").text), "email": email}
            refused = client.post("/login", data={**form, "password": "correct horse battery"})
            assert refused.status_code == 403
        with app.extensions["survey_sessions"]() as db:
            failed = audit_actions(db, "login_failed")
            assert [(e.actor, e.details["reason"]) for e in failed] == [
                (ADMIN.email, "passwords_off"),
                (None, "passwords_off"),
            ]
            assert all("correct horse" not in str(e.details) for e in failed)
            assert audit_actions(db, "login") == []
    finally:
        app.extensions["survey_engine"].dispose()
