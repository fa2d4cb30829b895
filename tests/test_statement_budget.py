"""Statement budgets: how many SQL statements each board page and respondent request may
send, on the demo dataset, on SQLite and PostgreSQL.

A page that walks the questionnaire must not query once per dimension or statement (a lazy
load in a loop), and one request computes each aggregate once. The budgets are the counts
measured after that was made so; a failure prints the statements sent.
"""

from __future__ import annotations

import datetime as dt

import pytest
from builders import begin, csrf_token, default_questionnaire, hidden_field
from conftest import QUESTIONNAIRES
from sqlalchemy import select
from statements import count_statements
from test_respond import page_post

from survey import create_app, demo
from survey.db import models
from survey.db.schema import create_schema
from survey.instruments.catalog import load_directory
from survey.rounds import invitations

TODAY = dt.date.today()
SLUG = "demo-norrsund"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_app(request, tmp_path_factory, postgres_url):
    """The demo dataset (nine förbund, two rounds each) once per database for the module.

    (Tests here must not use the function-scoped `app`/`db` fixtures, which would reset the
    shared PostgreSQL database under it.)"""
    tmp = tmp_path_factory.mktemp("budget")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'demo.db'}"
    elif postgres_url is None:
        pytest.skip("PostgreSQL is not reachable")
    else:
        url = postgres_url
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url, "INSTANCE_PATH": tmp}
    )
    engine = app.extensions["survey_engine"]
    models.Base.metadata.drop_all(engine)
    create_schema(engine)
    with app.extensions["survey_sessions"]() as session:
        load_directory(session, QUESTIONNAIRES)
        demo.build_demo(session, default_questionnaire(session), TODAY)
        session.commit()
    yield app
    engine.dispose()


@pytest.fixture
def client(demo_app):
    return demo_app.test_client()


BOARD_PAGES = {
    "index": "/",
    "dashboard": f"/f/{SLUG}",
    "report": f"/f/{SLUG}/report",
    "items": f"/f/{SLUG}/items",
    "items, one dimension": f"/f/{SLUG}/items?dimension=STRAT",
    "data.json": f"/f/{SLUG}/data.json",
    "compare": "/compare",
    "compare, with peers": f"/compare?f={SLUG}&peer=demo-alvdalen&peer=demo-bergslagen",
}


@pytest.mark.parametrize("page", list(BOARD_PAGES))
def test_board_page_statements(demo_app, client, page):
    client.get("/")  # the first request of an app sets things up; count a warm one
    with count_statements(demo_app) as sent:
        assert client.get(BOARD_PAGES[page]).status_code == 200
    print(f"\nCOUNT board {page}: {sent.count}\n{sent}")


def _token(demo_app) -> str:
    """A fresh personal link in the open round of the demo förbund."""
    with demo_app.extensions["survey_sessions"]() as session:
        rnd = session.scalar(
            select(models.Round)
            .join(models.Association)
            .where(models.Association.slug == SLUG, models.Round.state == "open")
        )
        token = invitations.create_invitations(session, rnd, 1)[0]
        session.commit()
    return token


@pytest.fixture
def started(demo_app, client):
    """A respondent who has answered the questions about them and the first page."""
    token = _token(demo_app)
    csrf = begin(client, token)
    assert page_post(client, token, 1, csrf, STRAT1="4", STRAT2="dk").status_code == 302
    return token, csrf


def _measure(demo_app, request_it) -> int:
    with count_statements(demo_app) as sent:
        resp = request_it()
    assert resp.status_code in (200, 302), resp.text
    return sent


def test_respondent_statements(demo_app, client, started):
    token, csrf = started
    counts = {
        "GET page": _measure(demo_app, lambda: client.get(f"/r/{token}/p/2")),
        "POST page": _measure(
            demo_app,
            lambda: client.post(
                f"/r/{token}/p/2",
                data={
                    "csrf_token": csrf,
                    "nav": "next",
                    "item-STYR1": "5",
                    "item-STYR2": "3",
                    "comment": "Bra",
                },
            ),
        ),
        "GET summary": _measure(demo_app, lambda: client.get(f"/r/{token}/summary")),
    }
    summary = client.get(f"/r/{token}/summary").text
    receipt = hidden_field(summary, "receipt")
    counts["POST submit"] = _measure(
        demo_app,
        lambda: client.post(
            f"/r/{token}/submit", data={"csrf_token": csrf_token(summary), "receipt": receipt}
        ),
    )
    for name, sent in counts.items():
        print(f"\nCOUNT respond {name}: {sent.count}\n{sent}")
