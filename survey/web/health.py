"""`/healthz`: whether this app server can serve, for the proxy and for monitoring.

200 `{"database": "ok", "schema": "current"}` when the database answers and is at the
newest revision of this code's migrations; otherwise 503 with what is wrong, so a load
balancer takes the server out and a monitor says why. Machine-read, so the words are
fixed English codes rather than catalogue entries.

It must answer whatever state the database is in: it is exempt from the schema check
that turns every page into a 503 page (survey/web/__init__.py), needs no session and is
under no rate limit (only the log-in and respondent pages are).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from survey.db import migrations
from survey.db.migrations import SchemaState
from survey.errors import SchemaError

ENDPOINT = "healthz"

#: Why a server is not ready, per schema state, for the operator reading the monitor.
REASONS = {
    SchemaState.EMPTY: "the database has no tables: run survey init",
    SchemaState.LEGACY: "the database predates migrations: run survey init",
    SchemaState.BEHIND: "the database is behind this code: run survey db upgrade",
    SchemaState.UNKNOWN: "the database was upgraded by a newer version than the one running",
}


def init_health(app: Flask) -> None:
    app.add_url_rule("/healthz", ENDPOINT, healthz, methods=["GET"])


def healthz() -> tuple[Response, int]:
    try:
        found = migrations.state(current_app.extensions["survey_engine"])
    except SQLAlchemyError as exc:
        # The details (host, port, driver message) go to the log, not to whoever asks.
        current_app.logger.warning("health check: database unreachable: %s", exc)
        return _answer(
            503, database="unreachable", schema="unknown", reason="the database does not answer"
        )
    except SchemaError as exc:  # no migrations beside the package
        return _answer(503, database="ok", schema="unknown", reason=str(exc))
    if found is SchemaState.CURRENT:
        return _answer(200, database="ok", schema=found.value)
    return _answer(503, database="ok", schema=found.value, reason=REASONS[found])


def _answer(status: int, **body: str) -> tuple[Response, int]:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"  # a cached "ok" would hide an outage
    return response, status
