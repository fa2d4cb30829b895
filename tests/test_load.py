"""No answer lost or altered under load: 300 links answered through every page by 50
parallel clients against the app under gunicorn (4 workers × 4 threads), half of them
submitting twice at the same moment and half with a page save racing their submit, on
SQLite and on PostgreSQL. Then the database is read: every completed link is exactly one
submitted response holding exactly what its respondent sent last, and nothing is left over.
"""

from __future__ import annotations

import pytest
from load_driver import check, gunicorn, plans, prepare, run, server_log

LINKS = 300
CLIENTS = 50


@pytest.fixture
def served(database_url, tmp_path):
    """The app under gunicorn on a fresh database holding one open round with LINKS links."""
    tokens = prepare(database_url, LINKS)
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "load-test-secret",
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
        "PUBLIC_URL": "http://127.0.0.1",
        # Every client comes from 127.0.0.1: the per-address limit would refuse them.
        "RATE_LIMIT_RESPOND": "1000000/minute",
    }
    (tmp_path / "instance").mkdir()
    with gunicorn(env, workers=4, threads=4) as url:
        yield url, tokens, env


def test_many_parallel_respondents_lose_and_alter_nothing(database_url, served, figures):
    url, tokens, env = served
    outcomes, seconds = run(url, plans(tokens), CLIENTS)
    found = check(database_url, outcomes, seconds)
    database = database_url.split(":", 1)[0].split("+")[0]
    figures.append("no loss under load, " + found.line(database))

    assert found.failures == [], "\n".join(found.failures[:10]) + "\n" + server_log(env)[-3000:]
    assert found.http_5xx == 0, server_log(env)[-3000:]
    assert found.completed == found.submitted_responses == LINKS
    assert found.duplicates == found.orphan_drafts == 0
    assert found.altered == found.answers_lost == 0
