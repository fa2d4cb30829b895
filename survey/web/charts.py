"""Plotly figures from aggregates (plain data in, Figure out; no Flask, no database).

Suppressed values arrive as None and are drawn as gaps or "för få svar", never as zeros;
the figures (and so their JSON and tooltips) never hold more than the aggregates they are
given. Words of our own come from the UI's catalogue (survey.i18n), in the language asked for.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go

from survey.disclosure import too_few
from survey.i18n import translate
from survey.results import colours
from survey.results.rounding import formatted, interval_text
from survey.results.uncertainty import Difference


def wrap(label: str, width: int = 18) -> str:
    """Long labels on several lines (Plotly breaks lines on <br>), never inside a word."""
    return "<br>".join(textwrap.wrap(label, width, break_long_words=False)) or label


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per axis; None = suppressed or missing
    colour: str  # from survey.results.colours: the colour of what the series is
    dashed: bool = False
    n: Sequence[int] = ()  # respondents per axis, for the tooltip

    @property
    def empty(self) -> bool:
        return all(v is None for v in self.values)


@dataclass(frozen=True)
class Sentence:
    """What stands where a chart would show nothing: a sentence, never empty axes."""

    text: str


def decimal(value: float, lang: str) -> str:
    """Two decimals, rounded half away from zero, with a decimal comma in Swedish."""
    return formatted(value, lang)


def nothing_to_show(lang: str, what: str, k: int) -> Sentence:
    return Sentence(
        translate(
            lang, "Too few answers to show %(what)s: fewer than %(k)s respondents.", what=what, k=k
        )
    )


def _layout(fig: go.Figure, title: str, lang: str, **extra: object) -> go.Figure:
    fig.update_layout(
        template="none",
        # Plotly's own number formatting (tooltips, axes): decimal comma and a thin space
        # between thousands in Swedish.
        separators=", " if lang == "sv" else ".,",
        title={"text": wrap(title, 55), "x": 0, "xanchor": "left", "font": {"size": 15}},
        font={"family": "system-ui, sans-serif", "size": 13, "color": "#1b1b1b"},
        paper_bgcolor="#ffffff",
        **extra,
    )
    return fig


def radar(
    axes: Sequence[str],
    series: Sequence[Series],
    title: str,
    scale: tuple[float, float] = (1, 5),
    lang: str = "sv",
    legend_title: str = "",
) -> go.Figure:
    """A radar (spider) chart; suppressed points are gaps, never zeros."""
    fig = go.Figure()
    labels = [wrap(a) for a in axes]
    closed_axes = labels + labels[:1]
    for s in series:
        values = list(s.values) + list(s.values[:1])
        n = list(s.n) + list(s.n[:1]) if s.n else None
        hover = "%{theta}: %{r:.2f}" + (" (n = %{customdata})" if n else "")
        fig.add_trace(
            go.Scatterpolar(
                r=values,
                theta=closed_axes,
                customdata=n,
                name=s.name,
                mode="lines+markers",
                connectgaps=False,
                marker={
                    "size": 7,
                    "symbol": "diamond" if s.dashed else "circle",
                    "color": s.colour,
                },
                line={
                    "color": s.colour,
                    "dash": "dash" if s.dashed else "solid",
                    "width": 2.5,
                },
                hovertemplate=hover + "<extra>" + escape(s.name) + "</extra>",
            )
        )
    return _layout(
        fig,
        title,
        lang,
        polar={
            # The scale's numbers between the first two spokes, not on top of a label.
            "radialaxis": {
                "range": list(scale),
                "tickvals": [1, 2, 3, 4, 5],
                "angle": 90 - 180 / max(len(axes), 1),
                "tickangle": 0,
                "tickfont": {"size": 10, "color": "#4a4a4a"},
            },
            "angularaxis": {"direction": "clockwise", "rotation": 90},
        },
        legend={"orientation": "h", "y": -0.12, "x": 0, "title": {"text": legend_title}},
        margin={"l": 90, "r": 90, "t": 120, "b": 40},
        height=580,
    )


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    n: Sequence[Sequence[int]],
    title: str,
    k: int,
    lang: str = "sv",
) -> go.Figure:
    """Rows × columns of means; a suppressed cell is blank and says "för få svar"."""
    shown = [v for row in values for v in row if v is not None]
    low = math.floor(min(shown) * 2) / 2 if shown else 1.0
    high = math.ceil(max(shown) * 2) / 2 if shown else 5.0
    text = [[decimal(v, lang) if v is not None else "–" for v in row] for row in values]
    hover_text = [[t if t != "–" else too_few(lang, k) for t in row] for row in text]
    fig = go.Figure(
        go.Heatmap(
            z=[list(row) for row in values],
            x=[wrap(c, 11) for c in columns],
            y=list(rows),
            text=text,
            texttemplate="%{text}",
            customdata=[
                [[ht, cnt] for ht, cnt in zip(hrow, nrow, strict=True)]
                for hrow, nrow in zip(hover_text, n, strict=True)
            ],
            hovertemplate="%{y}<br>%{x}: %{customdata[0]} (n = %{customdata[1]})<extra></extra>",
            colorscale=colours.HEATMAP,
            zmin=low,
            zmax=high,
            hoverongaps=True,
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": translate(lang, "mean")}, "thickness": 14},
        )
    )
    return _layout(
        fig,
        title,
        lang,
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"side": "top", "automargin": True, "tickangle": 0, "tickfont": {"size": 11}},
        margin={"l": 10, "r": 10, "t": 110, "b": 10},
        height=160 + 34 * len(rows),
    )


def distribution(
    categories: Sequence[str],
    shares: Sequence[Sequence[float] | None],
    scale_labels: Sequence[str],
    title: str,
    k: int,
    dont_know: Sequence[float | None] = (),
    lang: str = "sv",
    legend_title: str = "",
) -> go.Figure:
    """Diverging stacked bars: 1–2 and half of 3 to the left of zero, the rest to the
    right; one bar per category (dimension or statement). None = suppressed.
    `legend_title` says what the points mean (as answered, or recoded)."""
    dont_know_word = translate(lang, "don't know")
    cats = [wrap(c, 34) for c in categories]
    dk = list(dont_know) or [None] * len(cats)
    fig = go.Figure()
    # (point index, sign, half of the middle point?) in stacking order outwards from 0.
    parts = [
        (2, -1, True),
        (1, -1, False),
        (0, -1, False),
        (2, 1, True),
        (3, 1, False),
        (4, 1, False),
    ]
    for point, sign, half in parts:
        xs = [None if s is None else sign * (s[point] / 2 if half else s[point]) for s in shares]
        full = [None if s is None else s[point] for s in shares]
        dk_text = ["" if d is None else f"<br>{dont_know_word}: {d:.0%}" for d in dk]
        fig.add_trace(
            go.Bar(
                y=cats,
                x=xs,
                orientation="h",
                name=f"{point + 1} {scale_labels[point]}",
                legendgroup=str(point),
                showlegend=not (half and sign < 0),
                legendrank=point,
                marker={"color": colours.SCALE[point]},
                customdata=[[f, t] for f, t in zip(full, dk_text, strict=True)],
                hovertemplate="%{y}<br>"
                + escape(f"{point + 1} {scale_labels[point]}")
                + ": %{customdata[0]:.0%}%{customdata[1]}<extra></extra>",
            )
        )
    for cat, s in zip(cats, shares, strict=True):
        if s is None:
            fig.add_annotation(
                x=0, y=cat, text=too_few(lang, k), showarrow=False, font={"color": "#8a4b00"}
            )
    ticks = [-1, -0.5, 0, 0.5, 1]
    return _layout(
        fig,
        title,
        lang,
        barmode="relative",
        xaxis={
            "range": [-1, 1],
            "tickvals": ticks,
            "ticktext": [f"{abs(t):.0%}" for t in ticks],
            "title": {"text": translate(lang, "Share of answers (don't know not counted)")},
            "zeroline": True,
            "zerolinecolor": "#1b1b1b",
        },
        yaxis={"autorange": "reversed", "automargin": True},
        # Anchored to the figure's bottom edge, so it never meets the axis title or the
        # chart title however many lines it wraps to.
        legend={
            "orientation": "h",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "x": 0,
            "traceorder": "normal",
            "title": {"text": legend_title, "side": "top"},
        },
        margin={"l": 10, "r": 10, "t": 70, "b": 140},
        height=230 + 42 * len(cats),
    )


def change_bars(
    axes: Sequence[str],
    differences: Sequence[Difference | None],
    title: str,
    lang: str = "sv",
) -> go.Figure:
    """The change per dimension with its 95 % interval as error bars; a clear change (the
    interval excludes 0) solid in our colour, no clear change hatched in it (a different
    swatch in the legend too, not only a paler one), not comparable: no bar."""
    fig = go.Figure()
    clear_word = translate(lang, "clear change")
    unclear_word = translate(lang, "no clear change")
    hatched = {"shape": "/", "fillmode": "replace", "solidity": 0.35}
    for clear, name, pattern in ((True, clear_word, {}), (False, unclear_word, hatched)):
        picked = [d if d is not None and d.clear == clear else None for d in differences]
        fig.add_trace(
            go.Bar(
                y=[wrap(a, 30) for a in axes],
                x=[None if d is None else d.estimate for d in picked],
                orientation="h",
                name=name,
                marker={
                    "color": colours.OWN,
                    "pattern": pattern,
                    "line": {"color": colours.OWN, "width": 1.5},
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [None if d is None else d.high - d.estimate for d in picked],
                    "arrayminus": [None if d is None else d.estimate - d.low for d in picked],
                    "color": colours.NATIONAL,
                    "thickness": 1.5,
                },
                customdata=[None if d is None else [interval_text(d, lang)] for d in picked],
                hovertemplate="%{y}: %{customdata[0]}<extra></extra>",
            )
        )
    return _layout(
        fig,
        title,
        lang,
        barmode="overlay",
        xaxis={
            "title": {
                "text": translate(lang, "Change in mean, with %(level)s interval", level="95 %")
            },
            "zeroline": True,
            "zerolinecolor": "#1b1b1b",
        },
        yaxis={"autorange": "reversed", "automargin": True},
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "r": 10, "t": 70, "b": 90},
        height=200 + 34 * len(axes),
    )


def to_html(fig: go.Figure | Sentence, div_id: str, filename: str | None = None) -> str:
    """A chart placeholder plus its figure as JSON; static/board.js draws it with plotly.js
    from our own /vendor route (interactive, PNG download) where JavaScript runs. Where
    there is nothing to draw, the sentence that says why."""
    if isinstance(fig, Sentence):
        return f'<p class="chart-sentence" id="{escape(div_id)}-none">{escape(fig.text)}</p>'
    figure = fig.to_json().replace("</", "<\\/")  # never close the script element early
    name = escape(filename or div_id)
    return (
        f'<div id="{escape(div_id)}" class="plot" data-filename="{name}"></div>'
        f'<script type="application/json" id="{escape(div_id)}-figure">{figure}</script>'
    )
