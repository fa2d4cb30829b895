"""No answer lost or altered under load: 300 links answered through every page by 50
parallel clients against the app under gunicorn (4 workers × 4 threads), half of them
submitting twice at the same moment, half with a page save racing their submit and one
in ten double-clicking the first page's button, on
SQLite and on PostgreSQL at the same time (one minute of wall time for both). Then each
database is read: every completed link is exactly one submitted response holding exactly
what its respondent sent last, and nothing is left over.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
from conftest import empty_database
from load_driver import Figures, check, gunicorn, plans, prepare, run, server_log
from sqlalchemy import create_engine

pytestmark = pytest.mark.slow

LINKS = 300
CLIENTS = 50


def _databases(tmp_path, postgres_url) -> dict[str, str]:
    found = {"sqlite": f"sqlite:///{tmp_path / 'load.db'}"}
    if postgres_url is not None:
        engine = create_engine(postgres_url)
        empty_database(engine)
        engine.dispose()
        found["postgresql"] = postgres_url
    return found


def _env(database_url: str, instance) -> dict[str, str]:
    instance.mkdir()
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "load-test-secret",
        "SURVEY_INSTANCE_PATH": str(instance),
        "PUBLIC_URL": "http://127.0.0.1",
        # Every client comes from 127.0.0.1: the per-address limit would refuse them.
        "RATE_LIMIT_RESPOND": "1000000/minute",
    }


def test_many_parallel_respondents_lose_and_alter_nothing(tmp_path, postgres_url, figures):
    databases = _databases(tmp_path, postgres_url)
    tokens = {name: prepare(url, LINKS) for name, url in databases.items()}
    envs = {name: _env(url, tmp_path / name) for name, url in databases.items()}
    with ExitStack() as servers, ThreadPoolExecutor(len(databases)) as both:
        urls = {name: servers.enter_context(gunicorn(env)) for name, env in envs.items()}
        runs = {
            name: both.submit(run, urls[name], plans(tokens[name]), CLIENTS) for name in databases
        }
        found: dict[str, Figures] = {
            name: check(databases[name], *runs[name].result()) for name in databases
        }
    for name, figures_of in found.items():
        figures.append("no loss under load, " + figures_of.line(name))

    for name, result in found.items():
        log = server_log(envs[name])[-3000:]
        assert result.failures == [], "\n".join(result.failures[:10]) + "\n" + log
        assert result.http_5xx == 0, log
        assert result.completed == result.submitted_responses == LINKS, name
        assert result.duplicates == result.orphan_drafts == 0, name
        assert result.altered == result.answers_lost == 0, name
    if postgres_url is None:
        pytest.skip("PostgreSQL is not reachable: SQLite alone passed")
