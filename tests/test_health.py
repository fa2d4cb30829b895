"""`/healthz` tells the proxy and the monitor whether an app server can serve: the database
answers and its schema is at this code's newest revision. It answers in every state of the
database (where every page is a 503 page, it says why), with no session and no rate limit."""

from __future__ import annotations

import shutil
import socket

from conftest import make_app
from test_migrations import PROBE_REVISION

from survey.db import migrations
from survey.db.migrations import SchemaState


def test_a_current_database_is_healthy(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"database": "ok", "schema": "current"}
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answer.headers  # a monitor gets no session


def test_a_monitor_polling_often_is_never_rate_limited(app, database_url, tmp_path):
    limits = {"RATE_LIMIT_LOGIN": "1/minute", "RATE_LIMIT_RESPOND": "1/minute"}
    limited = make_app(database_url, tmp_path, **limits)
    client = limited.test_client()
    assert {client.get("/healthz").status_code for _ in range(5)} == {200}
    limited.extensions["survey_engine"].dispose()


def test_a_database_behind_the_code_is_reported_not_refused(app, tmp_path, monkeypatch):
    """A release with a new revision installed but `survey db upgrade` not yet run: the
    pages answer 503 with the command, and so does the health check, saying why; after
    the upgrade it is healthy again, without a restart."""
    newer = tmp_path / "migrations"  # the code moves on by one revision (as in test_migrations)
    shutil.copytree(migrations.MIGRATIONS_DIR, newer, ignore=shutil.ignore_patterns("__pycache__"))
    probe = PROBE_REVISION.replace("{head}", migrations.head())
    (newer / "versions" / "9999_probe.py").write_text(probe, encoding="utf-8")
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", newer)
    assert migrations.state(app.extensions["survey_engine"]) is SchemaState.BEHIND
    client = app.test_client()
    assert client.get("/").status_code == 503  # the pages' own refusal
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {
        "database": "ok",
        "schema": "behind",
        "reason": "the database is behind this code: run survey db upgrade",
    }
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    assert client.get("/healthz").status_code == 200


def test_an_empty_database_is_reported(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json()["schema"] == "empty"
    assert "survey init" in answer.get_json()["reason"]
    app.extensions["survey_engine"].dispose()


def _unreachable(database_url: str, tmp_path) -> str:
    """The same kind of database where nothing answers: a PostgreSQL port nobody listens
    on, an SQLite file in a folder that does not exist."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'no-such-folder' / 'survey.db'}"
    with socket.socket() as probe:  # a free port, closed again: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere"


def test_an_unreachable_database_is_reported_without_its_details(database_url, tmp_path):
    app = make_app(_unreachable(database_url, tmp_path), tmp_path)
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {
        "database": "unreachable",
        "schema": "unknown",
        "reason": "the database does not answer",
    }
    app.extensions["survey_engine"].dispose()
