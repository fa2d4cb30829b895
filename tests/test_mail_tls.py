"""The worker protects the connection and logs in as MAIL_SECURITY and MAIL_USERNAME say:
STARTTLS or implicit TLS with the certificate verified, a log-in refused as a clear retry.
Against aiosmtpd with a certificate made for the test (openssl). About the transport, so
on SQLite only: the queue itself is tested on both databases in test_mail_delivery.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from builders import make_round
from conftest import fresh_app, mail_settings
from mailserver import SmtpServer

from survey.db.audit import utcnow
from survey.mail import addresses, services, worker

USER, PASSWORD = "enkat", "ratt losenord 123"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (certificate file, server context)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (apt-get install -y openssl)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


def _login(_server, _session, _envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # False: aiosmtpd answers 535 itself


@pytest.fixture
def server(certificate):
    _cert, context = certificate
    server = SmtpServer(tls_context=context, require_starttls=True, auth_required=True,
                        authenticator=_login)  # fmt: skip
    server.start()
    yield server
    server.stop()


def queued(tmp_path, server, address: str, language: str):
    """An app sending through `server`, an open round, one address, its invitation queued."""
    app = fresh_app(f"sqlite:///{tmp_path / 'mail.db'}", tmp_path, **mail_settings(server))
    with app.extensions["survey_sessions"]() as db:
        make_round(db)
        listed = addresses.parse(address, language)
        services.add_addresses(db, "norrsund", "2026", listed, "test-secret", dt.date.today())
        services.queue_messages(db, "norrsund", "2026", "invitation", "test-secret", utcnow())
    return app


@pytest.fixture
def app(tmp_path, server):
    app = queued(tmp_path, server, "anna@norrsund.test", "sv")
    yield app
    app.extensions["survey_engine"].dispose()


LATER = itertools.count(1)


def send(app, **changes) -> worker.Pass:
    """One pass, each an hour later than the last: past any back-off."""
    config = dataclasses.replace(app.extensions["survey"], **changes)
    moment = utcnow() + dt.timedelta(hours=next(LATER))
    with app.extensions["survey_sessions"]() as db:
        return worker.send_due(db, config, clock=lambda: moment)


def test_starttls_with_a_verified_certificate_and_a_log_in(app, server, certificate, monkeypatch):
    refused = send(app, mail_security="none")  # the server insists on STARTTLS first
    assert refused.counts == {"retry": 1} and "530" in refused.stopped

    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust the test's certificate
    wrong = send(app, mail_security="starttls", mail_username=USER, mail_password="fel")
    assert wrong.stopped.startswith("log-in refused by 127.0.0.1") and "535" in wrong.stopped

    right = send(app, mail_security="starttls", mail_username=USER, mail_password=PASSWORD)
    assert right.counts == {"sent": 1} and right.stopped is None
    assert [m["To"] for m in server.messages] == ["anna@norrsund.test"]

    # Without that trust the certificate is refused (last: aiosmtpd stalls after it).
    monkeypatch.delenv("SSL_CERT_FILE")
    with app.extensions["survey_sessions"]() as db:
        services.queue_messages(db, "norrsund", "2026", "reminder", "test-secret", utcnow())
    untrusted = send(app, mail_security="starttls", mail_username=USER, mail_password=PASSWORD)
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.stopped and len(server.messages) == 1


def test_implicit_tls(tmp_path, certificate, monkeypatch):
    _cert, context = certificate
    server = SmtpServer(ssl_context=context)
    server.start()
    try:
        app = queued(tmp_path, server, "bo@kommun.test", "en")
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
        assert send(app, mail_security="ssl").counts == {"sent": 1}
        assert [m["To"] for m in server.messages] == ["bo@kommun.test"]
        app.extensions["survey_engine"].dispose()
    finally:
        server.stop()
