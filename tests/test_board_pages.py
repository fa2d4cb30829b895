"""The board pages on the demo dataset, through HTTP: the numbers on the page, in the charts
and in the JSON are those of survey.scoring, and those an independent computation (pandas
over the raw answers in the database) gives."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from board_html import figure_data, rows_by_key, sv, tables
from conftest import demo_module_app, signed_in
from sqlalchemy import select, text

from survey.db import models
from survey.instruments.catalog import definition_of
from survey.results import scoring

K = 5
TODAY = dt.date.today()
# The demo publishes the two years before this one; this year's round is open.
THIS, LAST = str(TODAY.year - 1), str(TODAY.year - 2)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_app(request, tmp_path_factory, postgres_url):
    """One demo dataset per database for the whole module: every test here only reads."""
    app = demo_module_app(request.param, tmp_path_factory.mktemp("board"), postgres_url)
    yield app
    app.extensions["survey_engine"].dispose()


@pytest.fixture
def client(demo_app):
    return signed_in(demo_app, demo_app.test_client())


@pytest.fixture
def demo_db(demo_app):
    with demo_app.extensions["survey_sessions"]() as session:
        yield session


def respondent_scores(db) -> pd.DataFrame:
    """The scoring rules done again by hand in pandas, from the raw answer rows."""
    raw = pd.read_sql(
        text(
            "SELECT r.id AS response, a2.slug, ro.label, r.role, r.agency, d.code AS dim,"
            " i.code AS item, i.reverse, a.value, i.questionnaire_id AS qid"
            " FROM response r JOIN answer a ON a.response_id = r.id"
            " JOIN item i ON i.id = a.item_id JOIN dimension d ON d.id = i.dimension_id"
            " JOIN round ro ON ro.id = r.round_id JOIN association a2 ON a2.id = ro.association_id"
            " WHERE ro.state = 'published'"
        ),
        db.connection(),
    )
    raw["x"] = raw["value"].where(~raw["reverse"].astype(bool), 6 - raw["value"])
    per = raw.groupby(["response", "slug", "label", "role", "agency", "dim"], dropna=False)
    scores = per["x"].agg(score="mean", rated="count").reset_index()
    # Statements per dimension in each version (version 2 has five in some); every
    # statement of the demo is answered by someone, so the answers name them all.
    asked = raw.groupby(["qid", "dim"])["item"].nunique().rename("items").reset_index()
    per_version = raw[["response", "qid"]].drop_duplicates().merge(asked, on="qid")
    scores = scores.merge(per_version.drop(columns="qid"), on=["response", "dim"])
    return scores[2 * scores["rated"] >= scores["items"]], raw


def group_means(scores: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return scores.groupby(keys)["score"].agg(["count", "mean"]).reset_index()


def national(scores: pd.DataFrame, label: str) -> dict[str, float]:
    per = group_means(scores[scores["label"] == label], ["slug", "dim"])
    shown = per[per["count"] >= K]
    return shown.groupby("dim")["mean"].mean().to_dict()


def test_dashboard_numbers_match_scoring_and_the_database(client, demo_db):
    scores, _raw = respondent_scores(demo_db)
    page = client.get("/f/demo-norrsund")
    assert page.status_code == 200
    table = rows_by_key(tables(page.text)["dimension-table"])
    ours = group_means(scores[scores["slug"] == "demo-norrsund"], ["label", "dim"])
    now = ours[ours["label"] == THIS].set_index("dim")
    before = ours[ours["label"] == LAST].set_index("dim")
    reference = national(scores, THIS)
    names = dict(demo_db.execute(select(models.Dimension.code, models.Dimension.name_sv)).all())
    radar = figure_data(page.text, "radar")
    radar_means = dict(zip(radar["data"][0]["theta"], radar["data"][0]["r"], strict=True))
    for code, row in now.iterrows():
        n, mean, change, ref = table[names[code]]
        assert int(n) == row["count"]
        assert mean == sv(row["mean"])
        assert change.endswith(sv(abs(row["mean"] - before.loc[code, "mean"])))
        assert ref.startswith(sv(reference[code]))
        # The chart draws exactly the numbers of the table beside it.
        label = next(t for t in radar_means if t.replace("<br>", " ") == names[code])
        assert radar_means[label] == pytest.approx(row["mean"])
    assert radar["data"][1]["r"][0] == pytest.approx(reference["STRAT"])
    shown = scores[(scores.slug == "demo-norrsund") & (scores.label == THIS)]
    assert f"{len(shown.response.unique())} inskickade svar" in page.text


def test_breakdowns_match_scoring_and_show_only_large_enough_groups(client, demo_db):
    scores, _raw = respondent_scores(demo_db)
    page = client.get(f"/f/demo-norrsund?round={THIS}")
    rnd = demo_db.scalar(
        select(models.Round)
        .join(models.Association)
        .where(models.Association.slug == "demo-norrsund", models.Round.label == THIS)
    )
    asked = definition_of(rnd.questionnaire)
    for by, table_id in (("role", "roles-table"), ("agency", "agencies-table")):
        # The report groups of the questionnaire, applied by hand to the raw choices.
        merged = asked.group_of(by)
        stats = scoring.dimension_stats(demo_db, [rnd.id], K, by=by, groups=merged)
        mine = scores[(scores.slug == "demo-norrsund") & (scores.label == THIS)].copy()
        mine[by] = mine[by].replace(merged)
        oracle = group_means(mine, [by, "dim"]).set_index([by, "dim"])
        shown = [s for s in stats if not s.suppressed]
        assert shown, "the demo should show some groups"
        for s in stats:
            assert s.n == oracle.loc[(s.group, s.dimension), "count"]
            if s.suppressed:
                assert s.mean is None
            else:
                assert s.n >= K and s.mean == pytest.approx(
                    oracle.loc[(s.group, s.dimension), "mean"]
                )
        body = tables(page.text)[table_id]
        cells = [cell for row in body[1:] for cell in row[1:-1]]
        # Every cell is a shown mean or says why there is none.
        assert all(c[0].isdigit() or c.startswith(("för få svar", "dold", "inga")) for c in cells)
        assert sorted(sv(s.mean) for s in shown) == sorted(
            c.split(" ")[0] for c in cells if c[0].isdigit()
        )


def test_trend_and_change_use_both_rounds(client, demo_db):
    scores, _raw = respondent_scores(demo_db)
    page = client.get("/f/demo-bergslagen")
    trend = tables(page.text)["trend-table"]
    assert trend[0][1:] == [LAST, THIS]
    ours = group_means(scores[scores.slug == "demo-bergslagen"], ["label", "dim"])
    first_row = trend[1]
    for label, cell in zip([LAST, THIS], first_row[1:], strict=True):
        expected = ours[(ours.label == label) & (ours.dim == "STRAT")].iloc[0]
        assert cell == f"{sv(expected['mean'])} (n = {expected['count']})"
    fig = figure_data(page.text, "trend")
    assert [t["name"] for t in fig["data"]] == [LAST, THIS]


def test_item_drill_down_matches_the_raw_answers(client, demo_db):
    _scores, raw = respondent_scores(demo_db)
    page = client.get(f"/f/demo-havskusten/items?round={THIS}&dimension=INDV")
    assert page.status_code == 200
    table = tables(page.text)["items-INDV-table"]
    mine = raw[(raw.slug == "demo-havskusten") & (raw.label == THIS) & (raw.dim == "INDV")]
    for row in table[1:]:
        code = row[0].split(" ")[0]
        answers = mine[mine["item"] == code]
        rated = answers["x"].dropna()
        assert row[1] == str(len(rated))
        assert row[2] == sv(rated.mean())
        assert row[-1] == f"{(len(answers) - len(rated)) / len(answers) * 100:.0f} %"
    assert "omvänd" in page.text  # INDV4 is reverse-scored and says so


def test_comparison_heat_map_and_peers(client, demo_db):
    page = client.get(
        f"/compare?round={THIS}&f=demo-norrsund&peer=demo-alvdalen&peer=demo-storstad"
    )
    assert page.status_code == 200
    radar = figure_data(page.text, "peers")
    assert [t["name"] for t in radar["data"]] == [
        "Norrsunds samordningsförbund (demo)",
        "Riksreferens (varje förbund väger lika)",
        "Älvdalens samordningsförbund (demo)",
        "Storstadens samordningsförbund (demo)",
    ]
    rounds = demo_db.scalars(select(models.Round).where(models.Round.label == THIS)).all()
    stats = {
        (s.round_id, s.dimension): s
        for s in scoring.dimension_stats(demo_db, [r.id for r in rounds], K)
    }
    heat = figure_data(page.text, "heatmap")["data"][0]
    table = rows_by_key(tables(page.text)["heatmap-table"])
    for rnd in rounds:
        name = rnd.association.name
        row = heat["y"].index(name)
        for col, dim in enumerate(rnd.questionnaire.dimensions):
            s = stats[(rnd.id, dim.code)]
            assert heat["z"][row][col] == pytest.approx(s.mean)
            assert table[name][col] == f"{sv(s.mean)} (n = {s.n})"
    reference = scoring.national_reference(demo_db, THIS, "integrerad-samverkan", K)
    assert heat["z"][-1][0] == pytest.approx(reference["STRAT"].mean)


def test_json_has_the_pages_numbers(client, demo_db):
    data = client.get(f"/f/demo-norrsund/data.json?round={THIS}").get_json()
    page = client.get(f"/f/demo-norrsund?round={THIS}")
    table = tables(page.text)["dimension-table"]
    assert [sv(d["mean"]) for d in data["dimensions"]] == [row[2] for row in table[1:]]
    assert data["min_group_size"] == K and data["previous_round"] == LAST
    for row in data["by_role"]:
        for group in row["groups"]:
            assert (group["mean"] is None) == group["suppressed"]


def test_board_report_says_what_changed_most(client, demo_db):
    page = client.get(f"/f/demo-norrsund/report?round={THIS}")
    assert page.status_code == 200
    rnd_rows = client.get(f"/f/demo-norrsund/data.json?round={THIS}").get_json()["dimensions"]
    biggest = max((r for r in rnd_rows if r["change"] is not None), key=lambda r: abs(r["change"]))
    verb = "gick upp" if biggest["change"] > 0 else "gick ner"
    expected = (
        f"{biggest['name']} {verb} från {sv(biggest['previous_mean'])} till {sv(biggest['mean'])}"
    )
    assert expected in page.text
    for chart in ("radar", "trend", "roles", "agencies", "distribution"):
        assert f'id="{chart}-figure"' in page.text
    assert "@media print" in client.get("/static/style.css").text


def test_english_labels_on_request(client, demo_db):
    page = client.get("/f/demo-norrsund?lang=en")
    assert "Where are we weakest?" in page.text
    radar = figure_data(page.text, "radar")
    assert "compared with the national reference" in radar["layout"]["title"]["text"].replace(
        "<br>", " "
    )
    assert radar["data"][1]["name"].startswith("National reference")
    swedish = signed_in(client.application, client.application.test_client()).get(
        "/f/demo-norrsund"
    )
    assert "Var är vi svagast?" in swedish.text
    assert "riksreferensen" in figure_data(swedish.text, "radar")["layout"]["title"]["text"]
