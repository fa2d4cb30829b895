"""The board pages on the demo dataset, through HTTP: the numbers on the page, in the charts
and in the JSON are those of survey.scoring, and those an independent computation (pandas
over the raw answers in the database) gives; every chart in the colour of its meaning."""

from __future__ import annotations

import datetime as dt
import inspect
import math
import re
from io import BytesIO
from zipfile import ZipFile

import pandas as pd
import pytest
from board_html import figure_data, figure_ids, rows_by_key, sv, tables
from conftest import demo_module_app, signed_in
from plotly.colors import get_colorscale
from scipy import stats as scipy_stats
from sqlalchemy import select, text

from survey.db import models
from survey.instruments.catalog import definition_of
from survey.results import colours, scoring
from survey.results.overview import scale_labels
from survey.rounds import lifecycle
from survey.web.board import figures

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


def signed(value: float) -> str:
    """A change as the pages print it: a sign and two decimals, and no sign on a value that
    rounds to 0 (an interval's end too: "0,00", never "−0,00" or "+0,00")."""
    shown = sv(abs(value))
    if shown == "0,00":
        return shown
    return ("+" if value > 0 else "−") + shown


def welch_by_scipy(db, scores, slug: str, dim: str) -> tuple[float, float]:
    """The 95 % interval of this round's mean minus the last round's, by scipy's t and the
    finite-population correction with N = the round's personal links (none if shared)."""
    terms = []
    for label in (THIS, LAST):
        x = scores[(scores.slug == slug) & (scores.label == label) & (scores.dim == dim)]["score"]
        kinds = db.execute(
            text(
                "SELECT i.kind, count(*) FROM invitation i JOIN round r ON r.id = i.round_id"
                " JOIN association a ON a.id = r.association_id"
                " WHERE a.slug = :slug AND r.label = :label GROUP BY i.kind"
            ),
            {"slug": slug, "label": label},
        ).all()
        counts = dict(kinds)
        big_n = counts.get("personal") if not counts.get("shared") else None
        fpc = (big_n - len(x)) / (big_n - 1) if big_n else 1.0
        terms.append((x.mean(), fpc * x.var(ddof=1) / len(x), len(x)))
    (m1, v1, n1), (m2, v2, n2) = terms
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    half = scipy_stats.t.ppf(0.975, df) * math.sqrt(v1 + v2)
    return m1 - m2 - half, m1 - m2 + half


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
        # The change and its Welch interval (with the finite-population correction), as
        # scipy computes them from the respondents' scores.
        low, high = welch_by_scipy(demo_db, scores, "demo-norrsund", code)
        estimate = row["mean"] - before.loc[code, "mean"]
        assert f"{signed(estimate)} ({signed(low)} till {signed(high)})" in change
        if low > 0 or high < 0:
            assert change.startswith("▲" if estimate > 0 else "▼")
        else:
            assert change.startswith("ingen säker förändring")
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
        # Every cell is a shown mean or a short mark (explained once under the table).
        assert all(c[0].isdigit() or c.startswith(("–*", "–†", "inga")) for c in cells)
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
    reference = scoring.national_reference(demo_db, THIS, "integrerad-samverkan", K, demo=True)
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
    interval = biggest["difference"]
    # A rise or fall only when its interval excludes 0.
    low, high = interval["low"], interval["high"]
    verb = " gick upp" if low > 0 else " gick ner" if high < 0 else ":"
    expected = (
        f"{biggest['name']}{verb} från {sv(biggest['previous_mean'])} till {sv(biggest['mean'])}"
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


# --- one colour per meaning ------------------------------------------------------------------
# Every figure the app builds, on every demo förbund's pages, draws our förbund, the national
# reference, each round, each role and member agency, each chosen förbund and each point of
# the answer scale in the colour survey.results.colours gives that meaning, whichever chart
# it is in and whichever other groups are shown beside it.

NATIONAL_NAME = "Riksreferens (varje förbund väger lika)"
#: Every chart builder of survey.web.board.figures, and the figure ids it draws on the pages.
BUILDERS = {
    "overview_radar": "radar",
    "breakdown_radar": "trend roles agencies",
    "change_chart": "change",
    "overview_distribution": "distribution",
    "items_distribution": "items-",
    "peers_radar": "peers",
    "picture_heatmap": "heatmap",
}


def test_every_chart_builder_is_walked_below():
    builders = {
        name
        for name, fn in vars(figures).items()
        if inspect.isfunction(fn)
        and fn.__module__ == figures.__name__
        and inspect.signature(fn).return_annotation in ("Chart", "go.Figure")
    }
    assert builders == set(BUILDERS)


def trace_colours(trace: dict) -> set[str]:
    """The colours a trace is drawn in (lines, markers, bars)."""
    found = {trace.get("line", {}).get("color"), trace.get("marker", {}).get("color")}
    return {c for c in found if c is not None}


def meanings(session, rnd: models.Round) -> dict[str, dict[str, str]]:
    """Per chart kind: trace name → the colour the map gives its meaning."""
    rounds = [r for r in lifecycle.rounds_of(session, rnd.association) if r.label <= rnd.label]
    scale = [f"{p} {label}" for p, label in enumerate(scale_labels(rnd, "sv"), 1)]
    common = {rnd.association.name: colours.OWN, NATIONAL_NAME: colours.NATIONAL}
    return {
        "radar": common,
        "trend": {r.label: colours.round_colour(len(rounds) - 1 - i) for i, r in enumerate(rounds)},
        "roles": _groups(rnd, "role"),
        "agencies": _groups(rnd, "agency"),
        "distribution": dict(zip(scale, colours.SCALE, strict=True)),
        "items-": dict(zip(scale, colours.SCALE, strict=True)),
        "change": {"säker förändring": colours.OWN, "ingen säker förändring": colours.OWN},
    }


def _groups(rnd, question):
    choices = definition_of(rnd.questionnaire).reporting_labels(question, "sv")
    return {label: colours.group_colour(i) for i, (_code, label) in enumerate(choices)}


def test_each_meaning_has_one_colour_in_every_figure(demo_app):
    """Four förbund's dashboards (different roles shown beside each other), one statement
    page and one comparison: together every chart builder."""
    client = signed_in(demo_app, demo_app.test_client())
    seen: set[str] = set()
    with demo_app.extensions["survey_sessions"]() as session:
        rounds = session.scalars(
            select(models.Round).where(models.Round.label == THIS).order_by(models.Round.id)
        ).all()
        urls = [(r, f"/f/{r.association.slug}?round={THIS}") for r in rounds[:4]]
        urls.append((rounds[0], f"/f/{rounds[0].association.slug}/items?round={THIS}"))
        for rnd, url in urls:
            expected = meanings(session, rnd)
            html = client.get(url).text
            for div_id in figure_ids(html):
                kind = "items-" if div_id.startswith("items-") else div_id
                seen.add(kind)
                for trace in figure_data(html, div_id)["data"]:
                    want = expected[kind][trace["name"]]  # a name the map knows
                    assert trace_colours(trace) == {want}, (url, div_id, trace["name"])
        # The comparison: our förbund, the reference, then the chosen förbund in order.
        own, chosen = rounds[0].association, [r.association for r in rounds[1:4]]
        query = "&".join(f"peer={p.slug}" for p in chosen)
        html = client.get(f"/compare?round={THIS}&f={own.slug}&{query}").text
        want = {own.name: colours.OWN, NATIONAL_NAME: colours.NATIONAL}
        want |= {p.name: colours.group_colour(i) for i, p in enumerate(chosen)}
        for trace in figure_data(html, "peers")["data"]:
            assert trace_colours(trace) == {want[trace["name"]]}
        heat = figure_data(html, "heatmap")["data"][0]  # values, not meanings: Cividis
        assert [c for _stop, c in heat["colorscale"]] == [
            c for _stop, c in get_colorscale(colours.HEATMAP)
        ]
        seen |= {"peers", "heatmap"}
    drawn = {k for ids in BUILDERS.values() for k in ids.split()}
    assert seen == drawn  # every builder's figure was met and checked


def test_the_board_workbook_chart_uses_the_same_colours(demo_app):
    client = signed_in(demo_app, demo_app.test_client())
    data = client.get(f"/export/demo-norrsund/{THIS}.xlsx").data
    with ZipFile(BytesIO(data)) as z:
        chart = next(z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/"))
    own, national = re.split(r"<(?:\w+:)?ser>", chart)[1:3]
    assert f'<a:srgbClr val="{colours.excel(colours.OWN)}"' in own
    assert f'<a:srgbClr val="{colours.excel(colours.NATIONAL)}"' in national
    assert colours.excel(colours.OWN) not in national
