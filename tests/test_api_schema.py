"""The API against its own OpenAPI document, with schemathesis: every operation called with
generated arguments (a research token, which may call all of them), never a 500, every
answer (status, headers, body) as the document says. Examples are bounded so the whole
file takes seconds; the document itself must be valid OpenAPI 3.1."""

from __future__ import annotations

import pytest
import schemathesis
from builders import add_response, all_items, make_round, make_user
from conftest import fresh_app
from hypothesis import HealthCheck, given, settings

from survey.accounts import api_tokens
from survey.db import audit


@pytest.fixture
def api_app(tmp_path):
    app = fresh_app(f"sqlite:///{tmp_path / 'api.db'}", tmp_path, RATE_LIMIT_API="10000/minute")
    with app.extensions["survey_sessions"]() as db:
        for slug in ("norrsund", "sydkust"):
            rnd = make_round(db, slug=slug, state="published")
            for person in range(6):
                add_response(db, rnd, all_items(db, rnd, lambda _item, p=person: 1 + p % 5))
        researcher = make_user(db, "r@uni.se", "researcher")
        app.api_token = api_tokens.issue(
            db, researcher, "schema", "research", None, 30, audit.utcnow()
        ).secret
    yield app
    app.extensions["survey_engine"].dispose()


@pytest.mark.slow  # about 15 s
def test_every_operation_answers_as_documented(api_app):
    """Each operation in turn (schemathesis' pytest loader does not run under this pytest):
    its generated cases, each called and checked by schemathesis' own checks."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {api_app.api_token}"}
    called = []
    for result in schema.get_all_operations():
        operation = result.ok()
        called.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=headers)

        check()
    assert len(called) == 6, called
