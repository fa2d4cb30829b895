"""survey.charts: plain data in, Plotly figures out; suppressed values are gaps, never 0."""

from __future__ import annotations

import pytest
from board_html import figure_data

from survey.results import colours
from survey.web import charts

AXES = ["Strategi", "Styrning", "Resurser"]
SCALE = ["Instämmer inte alls", "Till liten del", "Delvis", "Till stor del", "Instämmer helt"]


def test_radar_draws_a_closed_line_with_gaps_for_suppressed_values():
    fig = charts.radar(
        AXES,
        [
            charts.Series("Norrsund", [3.2, None, 4.1], colours.OWN, n=[12, 3, 12]),
            charts.Series("Riksreferens", [3.0, 3.1, 3.2], colours.NATIONAL, dashed=True),
        ],
        "Titel",
    )
    own, ref = fig.data
    assert list(own.r) == [3.2, None, 4.1, 3.2]  # closed; the gap stays a gap
    assert list(own.theta) == AXES + AXES[:1]
    assert own.connectgaps is False
    assert "n = %{customdata}" in own.hovertemplate and list(own.customdata) == [12, 3, 12, 12]
    assert own.line.color == colours.OWN and own.line.dash == "solid"
    assert ref.line.dash == "dash" and ref.customdata is None
    assert fig.layout.polar.radialaxis.range == (1, 5)


def test_palette_is_okabe_ito_without_the_pale_yellow_and_no_answer_colour_is_a_series_colour():
    series = (colours.OWN, colours.NATIONAL, *colours.ROUNDS, *colours.GROUPS)
    assert (colours.OWN, *colours.GROUPS[:2]) == ("#0072B2", "#E69F00", "#009E73")
    assert "#F0E442" not in series
    assert not set(colours.SCALE) & set(series)
    assert len(set(colours.GROUPS)) == len(colours.GROUPS)
    assert not set(colours.GROUPS) & {colours.OWN, colours.NATIONAL, *colours.ROUNDS}


def test_heatmap_leaves_suppressed_cells_blank_and_says_why():
    fig = charts.heatmap(
        ["Norrsund", "Liten"],
        AXES,
        [[3.2, 3.5, 4.0], [None, 2.9, None]],
        [[9, 9, 9], [2, 5, 2]],
        "Alla",
        k=5,
    )
    heat = fig.data[0]
    assert heat.z[1][0] is None and heat.z[1][1] == 2.9
    assert heat.text[1][0] == "–" and heat.text[0][0] == "3,20"
    assert list(heat.customdata[1][0]) == ["för få svar (n < 5)", 2]
    assert heat.colorscale[0][1] != heat.colorscale[-1][1]  # Cividis, a real scale
    # The colour range follows the data (rounded to halves) so differences show.
    assert (heat.zmin, heat.zmax) == (2.5, 4.0)
    english = charts.heatmap(["Liten"], AXES[:1], [[None]], [[2]], "All", k=5, lang="en")
    assert english.data[0].customdata[0][0][0] == "too few answers (n < 5)"


def test_diverging_distribution_puts_disagreement_left_and_splits_the_middle():
    shares = [(0.1, 0.2, 0.2, 0.3, 0.2), None]
    fig = charts.distribution(["Strategi", "Liten"], shares, SCALE, "Så svarade man", k=5)
    by_name = {}
    for trace in fig.data:
        by_name.setdefault(trace.name, []).append(trace)
    assert list(by_name) == [
        "3 Delvis",
        "2 Till liten del",
        "1 Instämmer inte alls",
        "4 Till stor del",
        "5 Instämmer helt",
    ]
    x = {trace.name + ("-" if trace.x[0] < 0 else "+"): trace.x[0] for trace in fig.data}
    assert x == pytest.approx(
        {
            "3 Delvis-": -0.1,
            "2 Till liten del-": -0.2,
            "1 Instämmer inte alls-": -0.1,
            "3 Delvis+": 0.1,
            "4 Till stor del+": 0.3,
            "5 Instämmer helt+": 0.2,
        }
    )
    assert sum(abs(t.x[0]) for t in fig.data) == pytest.approx(1.0)
    assert all(t.x[1] is None for t in fig.data)  # suppressed: no bar at all
    assert [a.text for a in fig.layout.annotations] == ["för få svar (n < 5)"]
    assert [t.showlegend for t in fig.data].count(True) == 5
    assert [t.marker.color for t in fig.data if t.showlegend] == [
        colours.SCALE[i] for i in (1, 0, 2, 3, 4)
    ]


def test_to_html_embeds_the_figure_as_json_that_cannot_end_the_script_early():
    fig = charts.radar(AXES, [charts.Series("</script><b>x", [1, 2, 3], colours.OWN)], "T")
    html = charts.to_html(fig, "radar", "samverkansmataren-x")
    assert html.count("</script>") == 1
    assert 'data-filename="samverkansmataren-x"' in html
    assert figure_data(html, "radar")["data"][0]["name"] == "</script><b>x"


def test_long_labels_wrap_between_words():
    assert charts.wrap("Gemensamma arbetsprocesser", 11) == "Gemensamma<br>arbetsprocesser"
