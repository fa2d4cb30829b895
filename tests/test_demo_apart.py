"""Demo data stays apart from real data: two real förbund with published answers, added to
a database holding the demo, get a national reference of real förbund only (checked
against figures worked out by hand from the answers they gave), the demo's own reference
does not move, and the demo's pages say that they are synthetic and compared among
themselves. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from statistics import mean

import pytest
from board_html import figure_data, rows_by_key, sv, tables
from builders import add_response, all_items, make_round
from conftest import demo_module_app, signed_in
from sqlalchemy import select

from survey.db import models

THIS = str(dt.date.today().year - 1)  # the demo's latest published round
#: Three real förbund (a national reference needs three); each respondent gives one raw
#: value to every statement.
REAL = {
    "riktigt-a": [1, 2, 3, 4, 5, 5],
    "riktigt-b": [2, 2, 3, 3, 4],
    "riktigt-c": [4, 4, 5, 3, 4],
}
DEMO_NOTE = "Syntetiska demodata"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_app(request, tmp_path_factory, postgres_url):
    app = demo_module_app(request.param, tmp_path_factory.mktemp("apart"), postgres_url)
    client = signed_in(app, app.test_client())
    # The demo förbund's reference as it was before any real förbund existed.
    app.demo_reference_before = dashboard(client, "demo-norrsund")
    with app.extensions["survey_sessions"]() as session:
        for slug, values in REAL.items():
            rnd = make_round(session, slug, THIS, state="published")
            for value in values:
                add_response(session, rnd, all_items(session, rnd, lambda _i, v=value: v))
    yield app
    app.extensions["survey_engine"].dispose()


@pytest.fixture
def client(demo_app):
    return signed_in(demo_app, demo_app.test_client())


def dashboard(client, slug: str) -> dict[str, list[str]]:
    page = client.get(f"/f/{slug}?round={THIS}")
    assert page.status_code == 200, page.text
    return rows_by_key(tables(page.text)["dimension-table"])


def expected_reference(demo_app) -> dict[str, float]:
    """By hand: a respondent who gave value v everywhere scores, in a dimension, the mean of
    v on its statements and 6 − v on its reverse ones; a förbund's mean is the mean of its
    respondents; the reference is the mean of the three förbund's means."""
    with demo_app.extensions["survey_sessions"]() as session:
        items = session.execute(
            select(models.Dimension.name_sv, models.Item.reverse)
            .join(models.Item.dimension)
            .join(models.Dimension.questionnaire)
            .where(models.Questionnaire.version == 1)  # the real förbund's rounds ask v1
        ).all()
    reverse: dict[str, list[bool]] = {}
    for name, is_reverse in items:
        reverse.setdefault(name, []).append(is_reverse)

    def score(v: int, flags: list[bool]) -> float:
        return mean(6 - v if r else v for r in flags)

    return {
        name: mean(mean(score(v, flags) for v in values) for values in REAL.values())
        for name, flags in reverse.items()
    }


def test_a_real_forbunds_reference_counts_real_forbund_only(demo_app, client):
    expected = expected_reference(demo_app)
    for slug, values in REAL.items():
        table = dashboard(client, slug)
        assert set(table) == set(expected)
        for name, (n, _mean, _change, reference) in table.items():
            assert int(n) == len(values)
            assert reference.startswith(sv(expected[name])), (name, reference)
            assert reference.endswith("3 förb."), reference
    page = client.get(f"/f/riktigt-a?round={THIS}")
    assert DEMO_NOTE not in page.text and 'id="demo-note"' not in page.text


def test_the_demo_reference_does_not_move_and_the_demo_says_what_it_is(demo_app, client):
    assert dashboard(client, "demo-norrsund") == demo_app.demo_reference_before
    for url in (
        f"/f/demo-norrsund?round={THIS}",
        f"/f/demo-norrsund/items?round={THIS}",
        f"/f/demo-norrsund/report?round={THIS}",
        f"/compare?round={THIS}&f=demo-norrsund",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert DEMO_NOTE in page.text and "riksreferens" in page.text, url
        assert "riktigt-a" not in page.text, url


def test_a_real_forbunds_comparison_lists_no_demo_forbund(demo_app, client):
    page = client.get(f"/compare?round={THIS}&f=riktigt-a&peer=riktigt-b")
    assert page.status_code == 200
    heat = figure_data(page.text, "heatmap")["data"][0]
    assert [y for y in heat["y"][:-1]] == [
        "Riktigt-A samordningsförbund",
        "Riktigt-B samordningsförbund",
        "Riktigt-C samordningsförbund",
    ]
    assert "(demo)" not in page.text and DEMO_NOTE not in page.text
    expected = expected_reference(demo_app)
    with demo_app.extensions["survey_sessions"]() as session:
        names = session.scalars(
            select(models.Dimension.name_sv)
            .join(models.Dimension.questionnaire)
            .where(models.Questionnaire.version == 1)
            .order_by(models.Dimension.position)
        ).all()
    assert heat["z"][-1] == pytest.approx([expected[name] for name in names])
    # A demo förbund cannot be chosen beside a real one, and a real one is the default.
    assert client.get(f"/compare?round={THIS}&f=riktigt-a&peer=demo-alvdalen").status_code == 404
    default = client.get(f"/compare?round={THIS}")
    assert "Riktigt-A" in default.text and "(demo)" not in default.text
