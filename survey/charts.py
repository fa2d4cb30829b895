"""Plotly figures from aggregates (plain data in, Figure out; no Flask, no database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

#: Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per axis; None = suppressed or missing
    dashed: bool = False


def radar(
    axes: Sequence[str], series: Sequence[Series], title: str, scale: tuple[float, float] = (1, 5)
) -> go.Figure:
    """A radar (spider) chart; suppressed points are gaps, never zeros."""
    fig = go.Figure()
    closed_axes = list(axes) + [axes[0]] if axes else []
    for i, s in enumerate(series):
        values = list(s.values) + [s.values[0]] if s.values else []
        fig.add_trace(
            go.Scatterpolar(
                r=values,
                theta=closed_axes,
                name=s.name,
                mode="lines+markers",
                connectgaps=False,
                line={"color": PALETTE[i % len(PALETTE)], "dash": "dash" if s.dashed else "solid"},
                hovertemplate="%{theta}: %{r:.2f}<extra>" + s.name + "</extra>",
            )
        )
    fig.update_layout(
        title={"text": title},
        polar={"radialaxis": {"range": list(scale), "tickvals": [1, 2, 3, 4, 5]}},
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 60, "r": 60, "t": 60, "b": 40},
        font={"family": "system-ui, sans-serif"},
    )
    return fig


def to_html(fig: go.Figure, div_id: str) -> str:
    """An embeddable div; plotly.js itself comes from our own /vendor route."""
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
