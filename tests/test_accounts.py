"""Log-in and roles through the pages and the command line, on SQLite and PostgreSQL: the
password step, CSRF, a new session at log-in, lock-out, two-factor with recovery codes,
the enrolment gate for roles that need it, a password change logging out every session,
set-password links from `survey user add`, and the audit rows each of these writes."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from builders import PASSWORD, csrf_token, enrol, log_in, logged_in_as, make_round, make_user
from conftest import PUBLIC_URL

from survey.accounts import services
from survey.accounts.access import Principal
from survey.db import audit
from survey.db.models import Role
from survey.errors import AccountLocked, SecondFactorFailed
from survey.web.access import RULES, SYSTEM_ADMIN
from survey.web.auth import routes as auth_routes

WRONG = "wrong password, surely"


def actions(db, action=None) -> list[tuple[str | None, str, str | None]]:
    db.expire_all()
    return [(e.actor, e.action, e.target) for e in audit.events(db, action)]


def test_log_in_with_the_right_password_and_not_the_wrong_one(client, db):
    make_user(db, "Styrelse@Norrsund.se", "board", make_round(db).association.slug)
    unknown = log_in(client, "nobody@norrsund.se", PASSWORD)
    wrong = log_in(client, "styrelse@norrsund.se", WRONG)
    for refused in (unknown, wrong):
        assert refused.status_code == 401
        assert "E-postadressen eller lösenordet är fel." in refused.text
        assert 'aria-invalid="true"' in refused.text and 'href="#email"' in refused.text
    # Byte for byte the same form, but for the e-mail typed back and the CSRF token.
    strip = lambda page: re.sub(r'value="[^"]*"', "", page)  # noqa: E731
    assert strip(unknown.text) == strip(wrong.text)
    assert logged_in_as(client) is None

    right = log_in(client, "STYRELSE@norrsund.se ", PASSWORD)  # any case, spaces trimmed
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert logged_in_as(client) == "styrelse@norrsund.se"

    events = actions(db)
    assert (None, "login_failed", None) in events  # the unknown e-mail typed is not kept
    assert ("styrelse@norrsund.se", "login_failed", None) in events
    assert ("styrelse@norrsund.se", "login", None) in events
    assert not any("nobody" in str(e.details) for e in audit.events(db))
    assert all(
        PASSWORD not in str(e.details) and WRONG not in str(e.details) for e in audit.events(db)
    )


def test_the_log_in_form_needs_its_csrf_token(client, db):
    make_user(db, "admin@norrsund.se", "forbund_admin", make_round(db).association.slug)
    for token in (None, "forged"):
        form = {"email": "admin@norrsund.se", "password": PASSWORD}
        if token:
            form["csrf_token"] = token
        refused = client.post("/login", data=form)
        assert refused.status_code == 400
    assert logged_in_as(client) is None
    assert actions(db, "login") == []


def test_log_in_starts_a_new_session(client, db):
    make_user(db, "admin@norrsund.se", "forbund_admin", make_round(db).association.slug)
    client.get("/login?lang=en")
    with client.session_transaction() as planted:  # as if someone had fixed the session
        planted["planted"] = "by an attacker"
        planted["nonce"] = "known"
    before = client.get_cookie("session").value

    assert log_in(client, "admin@norrsund.se").status_code == 302
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["nonce"] != "known" and len(after["nonce"]) >= 16
        assert after["lang"] == "en"  # the language chosen is not a secret
    assert client.get_cookie("session").value != before


def test_five_failures_lock_the_account_for_fifteen_minutes(client, db, monkeypatch):
    make_user(db, "admin@norrsund.se", "forbund_admin", make_round(db).association.slug)
    now = dt.datetime(2026, 3, 2, 9, 0)
    monkeypatch.setattr(auth_routes, "_now", lambda: now)
    for _ in range(4):
        assert log_in(client, "admin@norrsund.se", WRONG).status_code == 401
    fifth = log_in(client, "admin@norrsund.se", WRONG)
    assert fifth.status_code == 403
    assert "kontot är låst till 2026-03-02 09:15 UTC" in fifth.text
    # Locked means locked: the right password is refused too, in any process.
    assert log_in(client, "admin@norrsund.se").status_code == 403
    with pytest.raises(AccountLocked):
        services.authenticate(db, "admin@norrsund.se", PASSWORD, now + dt.timedelta(minutes=14))

    now += dt.timedelta(minutes=15, seconds=1)
    assert log_in(client, "admin@norrsund.se").status_code == 302
    setup = ("user_added", "password_set")
    assert [e[1] for e in actions(db) if e[1] not in setup] == [
        *["login_failed"] * 5,
        "account_locked",
        "login_failed",  # the right password while locked
        "login_failed",  # the service call while locked
        "login",
    ]
    assert actions(db, "account_locked") == [(None, "account_locked", "admin@norrsund.se")]


def test_a_successful_log_in_resets_the_count(client, db):
    make_user(db, "admin@norrsund.se", "forbund_admin", make_round(db).association.slug)
    for _ in range(2):
        for _ in range(4):
            log_in(client, "admin@norrsund.se", WRONG)
        assert log_in(client, "admin@norrsund.se").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    assert actions(db, "account_locked") == []


def test_totp_enrolment_code_log_in_and_a_recovery_code_that_works_once(client, db):
    make_user(db, "styrelse@norrsund.se", "board", make_round(db).association.slug)
    assert log_in(client, "styrelse@norrsund.se").status_code == 302  # two-factor optional
    page = client.get("/account/two-factor")
    secret = re.search(r'<code id="secret">([A-Z2-7]+)</code>', page.text).group(1)
    assert f"secret={secret}" in page.text and "otpauth://totp/" in page.text
    wrong = client.post(
        "/account/two-factor", data={"csrf_token": csrf_token(page.text), "code": "000000"}
    )
    assert wrong.status_code == 400 and "Koden är fel" in wrong.text
    enrolment_code = pyotp.TOTP(secret).now()
    confirmed = client.post(
        "/account/two-factor", data={"csrf_token": csrf_token(page.text), "code": enrolment_code}
    )
    assert confirmed.status_code == 200 and confirmed.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", confirmed.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    log_out(client)

    # Now the password alone is not enough; the code the enrolment used cannot be replayed.
    assert log_in(client, "styrelse@norrsund.se").headers["Location"] == "/login/code"
    assert logged_in_as(client) is None
    # The very code the enrolment used (not `.now()` again: a 30-second step may have
    # passed under a slow run, which would make it a new code).
    replayed = log_in(client, "styrelse@norrsund.se", code=enrolment_code)
    assert replayed.status_code == 401
    next_code = pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    assert log_in(client, "styrelse@norrsund.se", code=next_code).status_code == 302
    assert logged_in_as(client) == "styrelse@norrsund.se"
    log_out(client)

    assert log_in(client, "styrelse@norrsund.se", code=codes[3].upper()).status_code == 302
    log_out(client)
    again = log_in(client, "styrelse@norrsund.se", code=codes[3])
    assert again.status_code == 401 and logged_in_as(client) is None

    logins = [e.details for e in audit.events(db, "login")]
    assert [d["second_factor"] for d in logins] == ["none", "totp", "recovery_code"]
    assert logins[-1]["codes_left"] == 9
    assert actions(db, "totp_enrolled") == [
        ("styrelse@norrsund.se", "totp_enrolled", "styrelse@norrsund.se")
    ]
    assert len(actions(db, "second_factor_failed")) == 2
    assert [e[:2] for e in actions(db, "logout")] == [("styrelse@norrsund.se", "logout")] * 3
    assert not any(c in str(e.details) for e in audit.events(db) for c in codes)


def log_out(client):
    response = client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    assert response.status_code == 302


def test_a_system_admin_without_two_factor_can_only_enrol(client, db):
    make_round(db)
    make_user(db, "admin@samverkan.se", "system_admin")
    first = log_in(client, "admin@samverkan.se")
    assert first.headers["Location"] == "/account/two-factor"
    for path in ("/", "/f/norrsund", "/export/research.csv", "/compare?round=2026", "/login"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor")
    assert "Din roll kräver inloggning i två steg" in page.text
    secret = re.search(r'<code id="secret">([A-Z2-7]+)</code>', page.text).group(1)
    enrolment_code = pyotp.TOTP(secret).now()
    confirmed = client.post(
        "/account/two-factor", data={"csrf_token": csrf_token(page.text), "code": enrolment_code}
    )
    assert confirmed.status_code == 200 and "Dina reservkoder" in confirmed.text
    assert client.get("/").status_code == 200
    assert client.get("/f/norrsund").status_code == 200


def test_a_password_change_logs_out_every_other_session(app, db, runner):
    make_user(db, "styrelse@norrsund.se", "board", make_round(db).association.slug)
    office, home = app.test_client(), app.test_client()
    log_in(office, "styrelse@norrsund.se")
    log_in(home, "styrelse@norrsund.se")
    assert logged_in_as(office) == logged_in_as(home) == "styrelse@norrsund.se"

    result = runner.invoke(args=["user", "link", "--email", "styrelse@norrsund.se"])
    path = result.output.split(PUBLIC_URL)[1].split()[0]
    page = home.get(path)
    done = home.post(
        path,
        data={
            "csrf_token": csrf_token(page.text),
            "password": "a new long password",
            "repeat": "a new long password",
        },
    )
    assert done.headers["Location"] == "/login"
    assert logged_in_as(office) is None and logged_in_as(home) is None
    assert log_in(office, "styrelse@norrsund.se").status_code == 401  # the old password
    assert log_in(office, "styrelse@norrsund.se", "a new long password").status_code == 302


def test_survey_user_add_prints_a_link_that_works_once(app, client, db, runner):
    make_round(db)
    result = runner.invoke(
        args=[
            "user",
            "add",
            "--email",
            "Ny@Norrsund.se",
            "--role",
            "board",
            "--forbund",
            "norrsund",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "user ny@norrsund.se added as board in norrsund" in result.output
    link = re.search(rf"{PUBLIC_URL}(/set-password/\S+)", result.output).group(1)

    page = client.get(link)
    assert page.status_code == 200 and "ny@norrsund.se" in page.text
    assert page.headers["Referrer-Policy"] == "same-origin"
    form = {"csrf_token": csrf_token(page.text), "password": "short", "repeat": "short"}
    too_short = client.post(link, data=form)
    assert too_short.status_code == 400 and "minst 12 tecken" in too_short.text
    differ = client.post(link, data={**form, "password": "long enough password", "repeat": "other"})
    assert differ.status_code == 400 and "De två lösenorden är inte lika." in differ.text
    good = {**form, "password": "long enough password", "repeat": "long enough password"}
    assert client.post(link, data=good).headers["Location"] == "/login"
    # Setting the password ended the session (and its CSRF secret): a fresh form's token.
    good["csrf_token"] = csrf_token(client.get("/login").text)
    for used in (client.get(link), client.post(link, data=good)):
        assert used.status_code == 404 and "Länken hittades inte" in used.text
    assert log_in(client, "ny@norrsund.se", "long enough password").status_code == 302

    second = runner.invoke(
        args=["user", "add", "--email", "ny@norrsund.se", "--role", "researcher"]
    )
    assert second.exit_code == 0 and "role researcher added" in second.output
    agreement = runner.invoke(args=["user", "agreement", "--email", "ny@norrsund.se", "--yes"])
    assert agreement.exit_code == 0, agreement.output
    listing = runner.invoke(args=["user", "list"]).output
    assert (
        "ny@norrsund.se\tboard@norrsund, researcher\t"
        "no two-factor; password set; research agreement" in listing
    )
    assert [e[:2] for e in actions(db) if e[1] != "login"] == [
        ("cli", "user_added"),
        ("ny@norrsund.se", "password_set"),
        ("cli", "role_added"),
        ("cli", "research_agreement"),
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "board"], "the role board is held in a förbund: give --forbund"),
        (["--role", "researcher", "--forbund", "norrsund"], "holds system-wide"),
        (["--role", "board", "--forbund", "nowhere"], "No förbund 'nowhere'"),
    ],
)
def test_survey_user_add_refuses_a_role_without_its_place(runner, db, args, message):
    make_round(db)
    result = runner.invoke(args=["user", "add", "--email", "x@norrsund.se", *args])
    assert result.exit_code != 0 and message in result.output
    assert actions(db) == []


@pytest.mark.slow
def test_demo_users_log_in_with_what_survey_demo_prints(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    password = re.search(r"\(password: (\S+)\)", result.output).group(1)
    secret = re.search(
        r"forskare@demo\.invalid\s+researcher\s+code: TOTP secret (\w+)", result.output
    ).group(1)
    assert f"pyotp.TOTP('{secret}').now()" in result.output

    board = app.test_client()
    assert log_in(board, "styrelse@demo.invalid", password).status_code == 302
    assert logged_in_as(board) == "styrelse@demo.invalid"
    researcher = app.test_client()
    assert (
        log_in(researcher, "forskare@demo.invalid", password).headers["Location"] == "/login/code"
    )
    assert (
        log_in(researcher, "forskare@demo.invalid", password, pyotp.TOTP(secret).now()).status_code
        == 302
    )
    assert logged_in_as(researcher) == "forskare@demo.invalid"

    again = runner.invoke(args=["demo"])  # replaced with the demo data, not doubled
    assert again.exit_code == 0, again.output
    listing = runner.invoke(args=["user", "list"]).output.splitlines()
    assert len(listing) == 4 and all(line.endswith("; demo") for line in listing)


def test_principal_tells_roles_per_forbund():
    principal = Principal(
        user_id=1,
        email="p@x.se",
        session_version=1,
        roles=frozenset({(Role.BOARD, 7), (Role.FORBUND_ADMIN, 8), (Role.BOARD, 8)}),
    )
    assert principal.roles_in(8) == {Role.BOARD, Role.FORBUND_ADMIN}
    assert principal.roles_in(9) == frozenset()
    assert principal.associations(Role.BOARD) == {7, 8}
    assert not principal.may_read_row_level and not principal.must_enrol
    researcher = Principal(2, "r@x.se", 1, frozenset({(Role.RESEARCHER, None)}))
    assert researcher.may_read_row_level and researcher.must_enrol
    assert not researcher.may_read_unrecoded


def test_enrolling_through_the_services(db):
    principal = make_user(db, "r@samverkan.se", "researcher")
    now = audit.utcnow()
    secret, codes = enrol(db, principal, now)
    later = now + dt.timedelta(seconds=30)
    code = pyotp.TOTP(secret).at(later.replace(tzinfo=dt.UTC))
    assert services.verify_second_factor(db, principal.user_id, code, later).has_totp
    assert (
        services.use_recovery_code(db, principal.user_id, codes[0], later).email == "r@samverkan.se"
    )
    with pytest.raises(SecondFactorFailed):
        services.use_recovery_code(db, principal.user_id, codes[0], later)


def test_the_access_table_sends_strangers_to_log_in_and_refuses_other_roles(app, db, monkeypatch):
    """The authorisation rules (survey/web/access.py), on a route made for the test."""

    @app.get("/only-for-admins")
    def only_for_admins():
        return "admins only"

    monkeypatch.setitem(RULES, "only_for_admins", SYSTEM_ADMIN)
    client = app.test_client()
    stranger = client.get("/only-for-admins")
    assert stranger.status_code == 302
    assert stranger.headers["Location"] == "/login?next=%2Fonly-for-admins"
    make_user(db, "styrelse@norrsund.se", "board", make_round(db).association.slug)
    assert log_in(client, "styrelse@norrsund.se").status_code == 302
    refused = client.get("/only-for-admins")
    assert refused.status_code == 403 and "Ingen behörighet" in refused.text
