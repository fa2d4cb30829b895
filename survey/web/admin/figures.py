"""The response rate's small chart: responses submitted per day and in total so far, both
in the colour of one's own förbund (survey/results/colours.py): it is the round being run."""

from __future__ import annotations

from itertools import accumulate

import plotly.graph_objects as go
from markupsafe import Markup

from survey.i18n import translate
from survey.results import colours
from survey.rounds.rate import ResponseRate
from survey.web import charts

DAY_MS = 86_400_000
MAX_TICKS = 8


def _tick_days(rate: ResponseRate) -> int:
    """Days between ticks: 1, or more so that at most MAX_TICKS dates fit under the chart."""
    first, last = rate.per_day[0][0], rate.per_day[-1][0]
    return max(1, -(-((last - first).days + 1) // MAX_TICKS))


def per_day(rate: ResponseRate, lang: str) -> Markup:
    days = [day.isoformat() for day, _n in rate.per_day]
    counts = [n for _day, n in rate.per_day]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=days,
            y=counts,
            name=translate(lang, "Submitted that day"),
            marker={"color": colours.OWN, "opacity": 0.45},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=days,
            y=list(accumulate(counts)),
            name=translate(lang, "Submitted in total"),
            mode="lines+markers",
            line={"color": colours.OWN, "width": 3},
        )
    )
    fig.update_layout(
        template="none",
        separators=", " if lang == "sv" else ".,",
        title={"text": translate(lang, "Responses per day"), "x": 0, "font": {"size": 15}},
        font={"family": "system-ui, sans-serif", "size": 13, "color": "#1b1b1b"},
        height=300,
        margin={"l": 50, "r": 20, "t": 50, "b": 60},
        # One tick a day at most (Plotly's own ticks fall every 12 hours on a short round,
        # each printing the same date), every few days on a long one.
        xaxis={"type": "date", "tickformat": "%Y-%m-%d", "dtick": DAY_MS * _tick_days(rate)},
        yaxis={"rangemode": "tozero", "tickformat": "d"},
        legend={"orientation": "h", "y": -0.25},
        bargap=0.3,
    )
    return Markup(charts.to_html(fig, "rate-chart", "samverkansmataren-svar-per-dag"))
