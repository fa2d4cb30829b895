"""The board's figures, assembled from the report objects (overview, breakdowns, national
picture, drill-down) so the pages only place them. No Flask: titles come from the small
sv/en dictionary below, everything else from the questionnaire and the database."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from survey.results.breakdowns import Breakdown
from survey.results.comparisons import NationalPicture
from survey.results.drilldown import DimensionItems
from survey.results.overview import RoundOverview
from survey.web.board import charts

WORDS = {
    "sv": {
        "national": "Riksreferens (varje förbund väger lika)",
        "vs_national": "{name}, omgång {label}: jämfört med riksreferensen",
        "trend": "{name}: omgång för omgång",
        "role": "{name}, omgång {label}: per roll",
        "agency": "{name}, omgång {label}: per part",
        "distribution": "{name}, omgång {label}: så svarade man per dimension",
        "items": "{dimension}: så svarade man per påstående",
        "peers": "Omgång {label}: {name} jämfört med valda förbund",
        "heatmap": "Omgång {label}: alla förbund per dimension",
    },
    "en": {
        "national": "National reference (each association weighted equally)",
        "vs_national": "{name}, round {label}: compared with the national reference",
        "trend": "{name}: round by round",
        "role": "{name}, round {label}: by role",
        "agency": "{name}, round {label}: by member agency",
        "distribution": "{name}, round {label}: how people answered per dimension",
        "items": "{dimension}: how people answered per statement",
        "peers": "Round {label}: {name} compared with chosen associations",
        "heatmap": "Round {label}: all associations per dimension",
    },
}


def _w(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["sv"])


def national_name(lang: str) -> str:
    return _w(lang)["national"]


def overview_radar(overview: RoundOverview, lang: str) -> go.Figure:
    rows = overview.rows
    return charts.radar(
        [r.name for r in rows],
        [
            charts.Series(overview.association, [r.mean for r in rows], n=[r.n for r in rows]),
            charts.Series(national_name(lang), [r.national_mean for r in rows], dashed=True),
        ],
        _w(lang)["vs_national"].format(name=overview.association, label=overview.round_label),
        lang=lang,
    )


def breakdown_radar(table: Breakdown, association: str, label: str, lang: str) -> go.Figure:
    """One trace per column that shows anything; fully suppressed columns only in the table."""
    series = [
        charts.Series(
            col.label,
            [row.cells[i].mean for row in table.rows],
            n=[row.cells[i].n for row in table.rows],
        )
        for i, col in enumerate(table.columns)
        if table.column_shown(i)
    ]
    key = {"round": "trend"}.get(table.by, table.by)
    title = _w(lang)[key].format(name=association, label=label)
    return charts.radar([row.name for row in table.rows], series, title, lang=lang)


def overview_distribution(
    overview: RoundOverview, scale_labels: Sequence[str], lang: str
) -> go.Figure:
    rows = overview.rows
    return charts.distribution(
        [r.name for r in rows],
        [r.shares for r in rows],
        scale_labels,
        _w(lang)["distribution"].format(name=overview.association, label=overview.round_label),
        overview.k,
        dont_know=[r.dont_know_share for r in rows],
        lang=lang,
    )


def items_distribution(
    section: DimensionItems, scale_labels: Sequence[str], k: int, lang: str
) -> go.Figure:
    items = section.items
    return charts.distribution(
        [f"{i.code} {i.text}" for i in items],
        [i.shares for i in items],
        scale_labels,
        _w(lang)["items"].format(dimension=section.dimension.name),
        k,
        dont_know=[i.stat.dont_know_share for i in items],
        lang=lang,
    )


def peers_radar(picture: NationalPicture, slugs: Sequence[str], lang: str) -> go.Figure:
    """The first slug's förbund, the national reference, then the peers."""
    chosen = [picture.series(slug) for slug in slugs]
    series = [
        charts.Series(s.name, [c.mean for c in s.cells], n=[c.n for c in s.cells]) for s in chosen
    ]
    national = charts.Series(
        national_name(lang), [r.mean if r else None for r in picture.national], dashed=True
    )
    series.insert(1, national)
    title = _w(lang)["peers"].format(label=picture.label, name=chosen[0].name)
    return charts.radar([name for _code, name in picture.dimensions], series, title, lang=lang)


def picture_heatmap(picture: NationalPicture, lang: str) -> go.Figure:
    rows = [s.name for s in picture.associations] + [national_name(lang)]
    values = [[c.mean for c in s.cells] for s in picture.associations]
    values.append([r.mean if r else None for r in picture.national])
    n = [[c.n for c in s.cells] for s in picture.associations]
    n.append([r.n_associations if r else 0 for r in picture.national])
    return charts.heatmap(
        rows,
        [name for _code, name in picture.dimensions],
        values,
        n,
        _w(lang)["heatmap"].format(label=picture.label),
        picture.k,
        lang=lang,
    )
