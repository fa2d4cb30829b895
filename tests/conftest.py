"""Fixtures: an app on a fresh database (SQLite and PostgreSQL), a client, a CLI runner."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import pytest
from flask import Flask
from fresh_databases import build_demo, empty_database, make_fresh
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from survey import create_app
from survey.accounts import sessions
from survey.db import audit, models

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRES = ROOT / "questionnaires"
#: The address links are built on in tests; never the request's Host.
PUBLIC_URL = "https://samverkan.test"
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_database() -> str | None:
    """Create one throw-away database for this test run, or None where there is no server."""
    name = f"samverkan_test_{os.getpid()}"
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        if os.environ.get("CI"):
            raise RuntimeError(f"CI needs PostgreSQL at {POSTGRES_ADMIN_URL}: {exc}") from exc
        return None
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url():
    url = _postgres_database()
    yield url
    if url:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request, tmp_path, postgres_url) -> str:
    """This test's database as it is: a SQLite file not yet made in `tmp_path`, or this
    process's PostgreSQL database (skipped without a server). The parameter of every
    database test ([sqlite], [postgresql]); tests ask for `database_url` or `app`."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    if postgres_url is None:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
    return postgres_url


@pytest.fixture
def fresh_database(database_backend) -> str:
    """This test's database, which `fresh_app` gives today's schema and the questionnaires
    (restored from the copy each process builds once: tests/fresh_databases.py). The
    fixtures that call `fresh_app` ask for it, so that `database_url` leaves the database
    to them instead of emptying it first."""
    return database_backend


@pytest.fixture
def database_url(request, database_backend) -> str:
    """An empty database (no tables) for this test, unless the test's `app` is made by
    `fresh_app` (which sees to the database itself)."""
    if database_backend.startswith("postgresql") and "fresh_database" not in request.fixturenames:
        engine = create_engine(database_backend)
        empty_database(engine)
        engine.dispose()
    return database_backend


def make_app(database_url: str, tmp_path: Path, **overrides):
    """The app as the tests configure it, on the database as it is (no schema made)."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": tmp_path / "instance",
            "QUESTIONNAIRE_DIR": str(QUESTIONNAIRES),
            "PUBLIC_URL": PUBLIC_URL,
            **overrides,
        }
    )


def fresh_app(database_url: str, tmp_path: Path, **overrides):
    """The app on an empty database given today's schema and the questionnaires (a copy of
    the one built once per process: tests/fresh_databases.py)."""
    app = make_app(database_url, tmp_path, **overrides)
    make_fresh(app.extensions["survey_engine"])
    return app


@pytest.fixture
def app(fresh_database, tmp_path):
    app = fresh_app(fresh_database, tmp_path)
    yield app
    app.extensions["survey_engine"].dispose()


def demo_module_app(database: str, tmp: Path, postgres_url: str | None) -> Flask:
    """An app on a fresh database holding the questionnaires and the demo dataset, built
    once for a module-scoped fixture: `database` is "sqlite" (a file in `tmp`) or
    "postgresql" (this run's database, emptied; skipped without a server).

    (Modules using it must not use the function-scoped `app`/`db` fixtures, which would
    reset the shared PostgreSQL database under it.)"""
    if database == "sqlite":
        url = f"sqlite:///{tmp / 'demo.db'}"
    elif postgres_url is None:
        pytest.skip("PostgreSQL is not reachable")
    else:
        url = postgres_url
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url, "INSTANCE_PATH": tmp}
    )
    make_fresh(app.extensions["survey_engine"], build_demo)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def signed_in(app, client, role="system_admin", forbund=None, email="admin@test.invalid"):
    """The client signed in as a user with one role (a system administrator unless told),
    two-factor enrolled, by planting the session Flask-Login reads: for tests about pages,
    not about logging in (tests/test_accounts.py does that through the forms)."""
    identity = _user_identity(app, role, forbund, email)
    with client.session_transaction() as cookie:
        cookie["_user_id"] = identity
        cookie["_fresh"] = True
    return client


def signed_in_browser(page, server, role="system_admin", forbund=None):
    """The browser page signed in the same way, through a session cookie the app signed."""
    identity = _user_identity(server.app, role, forbund, f"{role}@test.invalid")
    serializer = server.app.session_interface.get_signing_serializer(server.app)
    value = serializer.dumps({"_user_id": identity, "_fresh": True})
    page.context.add_cookies([{"name": "session", "value": value, "url": server.url}])
    return page


def _user_identity(app, role, forbund, email) -> str:
    """A user with one role and an authenticator enrolled, logged in on a new server-side
    session: that session's id (what Flask-Login keeps in the cookie)."""
    with app.extensions["survey_sessions"]() as session:
        user = session.scalar(select(models.User).filter_by(email=email))
        if user is None:
            association = (
                session.scalar(select(models.Association).filter_by(slug=forbund))
                if forbund
                else None
            )
            user = models.User(
                email=email,
                password_hash="-",
                totp_secret="JBSWY3DPEHPK3PXP",
                created_at=dt.datetime(2026, 1, 1),
            )
            user.memberships = [models.Membership(role=role, association=association)]
            session.add(user)
            session.commit()
        return sessions.start(session, user.id, audit.utcnow())


@pytest.fixture
def admin_client(app):
    """A system administrator's browser: every page of every förbund."""
    return signed_in(app, app.test_client())


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A database session for arranging data and checking what was stored."""
    with app.extensions["survey_sessions"]() as session:
        yield session


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items) -> None:
    """Browser tests (marked `browser`, or driving Chromium or a live server) are slow too,
    so `pytest -m "not slow"` is the quick loop without marking each of them twice."""
    drives = {"browser", "page", "live_server"}
    for item in items:
        if item.get_closest_marker("browser") or drives & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


# --- browser ----------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_program(name: str, install: str) -> None:
    """Skip the calling test module, with the reason, when a program it drives is not
    installed (an error under CI, whose .ci/run installs it)."""
    import shutil

    if shutil.which(name):
        return
    if os.environ.get("CI"):
        raise RuntimeError(f"CI needs {name}: {install}")
    pytest.skip(f"{name} is not installed ({install})", allow_module_level=True)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def serve(tmp_path: Path, **overrides):
    """The app on SQLite, served by werkzeug in a thread on a free loopback port (a
    generator: the server, then its shutdown)."""
    import threading

    from werkzeug.serving import make_server

    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'browser.db'}",
            "INSTANCE_PATH": tmp_path / "instance",
            **overrides,
        }
    )
    make_fresh(app.extensions["survey_engine"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.app = app
    server.url = f"http://127.0.0.1:{server.server_port}"
    app.extensions["survey"] = dataclasses.replace(
        app.extensions["survey"], public_url=server.url, public_url_set=True
    )
    yield server
    server.shutdown()
    app.extensions["survey_engine"].dispose()


@pytest.fixture
def live_server(tmp_path):
    yield from serve(tmp_path)


def csp_violations(context) -> list[str]:
    """What the Content-Security-Policy blocked on any page of `context`, as Chromium logs
    it to the console (an inline script or style, an eval, a resource from elsewhere)."""
    blocked: list[str] = []
    context.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and blocked.append(msg.text),
    )
    return blocked


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) and page; console errors are collected, and
    among them what the Content-Security-Policy blocked (`page.csp_violations`)."""
    context = browser.new_context(locale="sv-SE")
    violations = csp_violations(context)
    page = context.new_page()
    page.csp_violations = violations
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


# --- e-mail -----------------------------------------------------------------------------

MAIL_SENDER = "Norrsunds samordningsförbund <enkat@norrsund.test>"


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on a free loopback port, keeping what arrives."""
    from mailserver import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def mail_settings(smtp) -> dict[str, object]:
    """Settings that send through the test server, in clear text (it is loopback)."""
    return {
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_SECURITY": "none",
        "MAIL_SENDER": MAIL_SENDER,
    }


@pytest.fixture
def mail_app(fresh_database, tmp_path, smtp):
    """The app on a fresh database, sending through the test SMTP server. A module that
    uses it names it `app` (`def app(mail_app): return mail_app`), so `client`, `db` and
    `runner` are of it."""
    app = fresh_app(fresh_database, tmp_path, **mail_settings(smtp))
    yield app
    app.extensions["survey_engine"].dispose()


# --- figures printed at the end of the run ------------------------------------------------


class _Figures(list):
    """What a test measured; each line also goes into the test's report (user_properties),
    which reaches the main process under pytest-xdist, where the summary prints it."""

    def __init__(self, node) -> None:
        super().__init__()
        self.node = node

    def append(self, line: str) -> None:
        super().append(line)
        self.node.user_properties.append(("figure", line))


@pytest.fixture
def figures(request) -> list[str]:
    """Lines a test measured (e.g. the load test's counts), printed in the run's summary."""
    return _Figures(request.node)


def pytest_terminal_summary(terminalreporter) -> None:
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for key, value in getattr(report, "user_properties", ())
        if key == "figure"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)
