"""Statement budgets: how many SQL statements each board page and respondent request may
send, on the demo dataset (nine förbund, two rounds each), on SQLite and PostgreSQL.

A page computes each aggregate once and never asks once per dimension, statement, round or
förbund (a lazy load in a loop), so its count does not grow with the questionnaire or the
data. The budgets are the counts measured when that was made so, without slack: a query
more fails here, and the message lists the statements sent. Raise a budget only for a
query the page really needs anew.
"""

from __future__ import annotations

import datetime as dt

import pytest
from board_html import figure_data
from builders import add_response, all_items, begin, csrf_token, hidden_field, make_round
from conftest import demo_module_app, signed_in
from sqlalchemy import select
from statements import Statements, count_lazy_loads, count_statements

from survey.accounts import api_tokens
from survey.accounts.users import existing_user, principal_of
from survey.db import audit, models
from survey.disclosure import DEFAULT_K
from survey.rounds import invitations
from survey.services.figures import rebuild_figures

SLUG = "demo-norrsund"
#: A förbund with more rounds than the demo's two, for the trend.
MANY_ROUNDS = "budget-many-rounds"
PEERS = ("demo-alvdalen", "demo-bergslagen", "demo-fjallbygden", "demo-havskusten", "demo-sjobygd")

#: A round's page: 1 the förbund's rounds with förbund and questionnaire, 2 its dimensions,
#: 3 its figures from the publication snapshot (overview, trend, by role and by agency in
#: one read), 4 national reference (over the snapshot), 5 submitted responses. The
#: statements page loads the statements and reads the statements' figures: 2 more. The
#: comparison: round labels, the rounds of the label with their förbund and questionnaire,
#: dimensions, the figures of those rounds, national reference.
#: Every page is for a signed-in user: 3 more, the server-side session, the user and their
#: roles (a board member's förbund check adds one; the system administrator here needs
#: none). The front page and the comparison read which förbund are named to others: 1 more.
SIGNED_IN = 3
#: The dashboard and the report open with "what to work on next" (the maturity page's rule):
#: the levels now and desired (the overview's means are the current scores) and the
#: förbund's actions: 3 more. The report adds its section of agreed levels and actions
#: (the round's workshop levels and the förbund's actions read again): 2 more.
NEXT_STEPS = 3
LEVEL_QUERIES = 2  # of NEXT_STEPS, only for a questionnaire with the level question
AGREED_PLAN = 2
BOARD_BUDGET = {
    "/": 2 + SIGNED_IN,
    f"/f/{SLUG}": 5 + SIGNED_IN + NEXT_STEPS,
    f"/f/{SLUG}/report": 5 + SIGNED_IN + NEXT_STEPS + AGREED_PLAN,
    f"/f/{SLUG}/items": 7 + SIGNED_IN,
    f"/f/{SLUG}/items?dimension=STRAT": 7 + SIGNED_IN,
    f"/f/{SLUG}/data.json": 5 + SIGNED_IN,
    "/compare": 6 + SIGNED_IN,
    f"/compare?f={SLUG}&peer=demo-alvdalen&peer=demo-bergslagen": 6 + SIGNED_IN,
}
#: The admin's round page and its response rate (open this year's round, with answers and
#: drafts): 1 the förbund, 2 its rounds with questionnaire, 3 the round's counts (links,
#: submitted, drafts), 4 submitted per day, 5 submitted by role × agency; plus the user.
#: The förbund's page: the förbund, its rounds with counts. The live counts (rate.json):
#: the förbund, its rounds, the counts. A förbund administrator's
#: access check reads the förbund: 1 more.
THIS_YEAR = str(dt.date.today().year)
ADMIN_BUDGET = {
    f"/admin/f/{SLUG}/rounds/{THIS_YEAR}": 5 + SIGNED_IN + 1,
    f"/admin/f/{SLUG}": 2 + SIGNED_IN + 1,
    f"/admin/f/{SLUG}/rounds/{THIS_YEAR}/rate.json": 3 + SIGNED_IN + 1,
}
#: A respondent's request reads its link once: one statement joining the invitation, round,
#: förbund, questionnaire and draft (survey/answering/links.py). A save is that read, the
#: draft's one update and, on SQLite, the unit of work's BEGIN IMMEDIATE (on PostgreSQL
#: the link's row lock instead, and the draft read after the lock). A submit: BEGIN
#: IMMEDIATE, the link, the item and dimension ids (one statement), the response, its
#: answers and comments (one insert each), the link marked used, its draft deleted, one
#: more response for the day (an upsert joined to nothing, for the response rate's chart).
#: On PostgreSQL it writes the new response with up to 19 earlier ones of the round, read,
#: deleted and written again in random order (survey.db.mixing: the round locked, the run
#: from a random key read in one statement or two when it wraps round the end, and 6 more,
#: however many responses the round has): MIXING more.
RESPONDENT_BUDGET = {"GET page": 1, "POST page": 3, "GET summary": 1, "POST submit": 9}
MIXING = 9


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_app(request, tmp_path_factory, postgres_url):
    """The demo dataset once per database for the module, and a förbund with four rounds."""
    app = demo_module_app(request.param, tmp_path_factory.mktemp("budget"), postgres_url)
    with app.extensions["survey_sessions"]() as session:
        for year in range(2016, 2020):
            rnd = make_round(session, MANY_ROUNDS, str(year), state="published")
            for value in range(1, 6):
                add_response(session, rnd, all_items(session, rnd, lambda _item, v=value: v))
        # Rounds made published directly: their figures kept as publishing keeps them.
        rebuild_figures(session, DEFAULT_K)
    # The schema is checked once per process, on its first request: not part of a page.
    assert app.test_client().get("/").status_code == 200
    yield app
    app.extensions["survey_engine"].dispose()


@pytest.fixture
def client(demo_app):
    return signed_in(demo_app, demo_app.test_client())


def _get(demo_app, client, url: str) -> Statements:
    with count_statements(demo_app) as sent:
        assert client.get(url).status_code == 200
    return sent


@pytest.mark.parametrize("url", list(BOARD_BUDGET))
def test_board_page_within_budget(demo_app, client, url):
    sent = _get(demo_app, client, url)
    assert sent.count <= BOARD_BUDGET[url], f"{url}: {sent}"


def test_the_statements_cost_the_same_for_one_dimension_and_all_ten(demo_app, client):
    """Each dimension's statements loaded lazily would add a query per dimension."""
    one = _get(demo_app, client, f"/f/{SLUG}/items?dimension=STRAT")  # five statements
    every = _get(demo_app, client, f"/f/{SLUG}/items")  # ten dimensions, 43 statements
    assert every.count == one.count, f"one dimension: {one}\nall: {every}"


def test_the_trend_over_four_rounds_costs_what_two_do(demo_app, client):
    with count_statements(demo_app) as four:
        page = client.get(f"/f/{MANY_ROUNDS}").text
    trend = [trace["name"] for trace in figure_data(page, "trend")["data"]]
    assert trend == [str(year) for year in range(2016, 2020)]
    # The demo's latest round (version 3) asks the level question: its "what to work on
    # next" reads the levels now and desired (2); these version 1 rounds need neither.
    assert four.count == _get(demo_app, client, f"/f/{SLUG}").count - LEVEL_QUERIES, str(four)


def test_comparing_with_five_peers_costs_what_none_do(demo_app, client):
    """Every förbund of the picture is named: loaded one by one that grows with them."""
    url = f"/compare?f={SLUG}&" + "&".join(f"peer={p}" for p in PEERS)
    assert _get(demo_app, client, url).count == _get(demo_app, client, "/compare").count


@pytest.mark.parametrize("url", list(ADMIN_BUDGET))
def test_admin_page_within_budget(demo_app, url):
    """As the förbund's administrator; the counts are aggregated in SQL, so the budget does
    not grow with the responses, links or days."""
    admin = signed_in(demo_app, demo_app.test_client(), "forbund_admin", SLUG, "budget@a.se")
    sent = _get(demo_app, admin, url)
    assert sent.count <= ADMIN_BUDGET[url], f"{url}: {sent}"


# --- respondent -------------------------------------------------------------------------


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


def _save_page(client, token: str, number: int, csrf: str, **ratings: str):
    data = {f"item-{code}": value for code, value in ratings.items()}
    data.update(csrf_token=csrf, nav="next", comment="Bra samverkan")
    resp = client.post(f"/r/{token}/p/{number}", data=data)
    assert resp.status_code == 302, resp.text
    return resp


@pytest.fixture
def respondent(demo_app):
    """The requests of a respondent who has answered the questions about them and the
    first page, by name; each is sent when called. Respondents never log in."""
    client = demo_app.test_client()
    token = _token(demo_app)
    csrf = begin(client, token)
    _save_page(client, token, 1, csrf, STRAT1="4", STRAT2="dk")
    summary = client.get(f"/r/{token}/summary").text
    submit_form = {"csrf_token": csrf_token(summary), "receipt": hidden_field(summary, "receipt")}
    return {
        "GET page": lambda: client.get(f"/r/{token}/p/2"),
        "POST page": lambda: _save_page(client, token, 2, csrf, STYR1="5", STYR2="3"),
        "GET summary": lambda: client.get(f"/r/{token}/summary"),
        "POST submit": lambda: client.post(f"/r/{token}/submit", data=submit_form),
        "POST page, one answer": lambda: _save_page(client, token, 3, csrf, RES1="2"),
        "POST page, four answers": lambda: _save_page(
            # Four statements of version 2, which the demo's open round asks.
            client,
            token,
            4,
            csrf,
            PROC1="1",
            PROC2="2",
            PROC3="3",
            PROC5="4",
        ),
    }


def _send(demo_app, request) -> Statements:
    with count_statements(demo_app) as sent:
        assert request().status_code in (200, 302)
    return sent


@pytest.mark.parametrize("name", list(RESPONDENT_BUDGET))
def test_respondent_request_within_budget(demo_app, respondent, name):
    sent = _send(demo_app, respondent[name])
    budget = RESPONDENT_BUDGET[name]
    if name == "POST submit" and demo_app.extensions["survey_engine"].dialect.name != "sqlite":
        budget += MIXING
    assert sent.count <= budget, f"{name}: {sent}"


@pytest.mark.parametrize("name", list(RESPONDENT_BUDGET))
def test_respondent_request_loads_nothing_lazily(demo_app, respondent, name):
    """No relationship is loaded on access: what a respondent's page shows comes with its
    link (an ORM object's lazy load would be a statement more, and one per object in a loop)."""
    with count_lazy_loads() as loads:
        assert respondent[name]().status_code in (200, 302)
    assert loads == [], f"{name}: lazy loads of {loads}"


def test_saving_a_page_costs_the_same_for_one_answer_and_four(demo_app, respondent):
    one = _send(demo_app, respondent["POST page, one answer"])
    four = _send(demo_app, respondent["POST page, four answers"])
    assert four.count == one.count, f"one answer: {one}\nfour: {four}"


# --- the read-only API ------------------------------------------------------------------

#: A round's aggregates through the API: the dashboard JSON's 7, and the token instead of
#: the session: the token, its user, its förbund and the user's roles (4), then the call's
#: unit of work: the last use and the audit row (2; on SQLite 1 more, BEGIN IMMEDIATE).
API_AGGREGATES = 7 + 4 + 2 + 1


def test_the_api_aggregates_cost_what_the_dashboard_json_does(demo_app):
    with demo_app.extensions["survey_sessions"]() as session:
        board = principal_of(existing_user(session, "styrelse@demo.invalid"))
        token = api_tokens.issue(session, board, "budget", "aggregates", SLUG, 30, audit.utcnow())
    headers = {"Authorization": f"Bearer {token.secret}"}
    client = demo_app.test_client()
    last = str(dt.date.today().year - 1)
    with count_statements(demo_app) as sent:
        answer = client.get(f"/api/v1/forbund/{SLUG}/rounds/{last}/aggregates", headers=headers)
        assert answer.status_code == 200
    assert sent.count <= API_AGGREGATES, str(sent)
