"""The board's figures, assembled from the report objects (overview, breakdowns, national
picture, drill-down) so the pages only place them. No Flask: titles come from the UI's
catalogue through survey.i18n, everything else from the questionnaire and the database."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from survey.i18n import N_, translate
from survey.results.breakdowns import Breakdown
from survey.results.comparisons import NationalPicture
from survey.results.drilldown import DimensionItems
from survey.results.overview import RoundOverview
from survey.web.board import charts

#: Radar titles by what a breakdown splits on.
BREAKDOWN_TITLES = {
    "round": N_("%(name)s: round by round"),
    "role": N_("%(name)s, round %(label)s: by role"),
    "agency": N_("%(name)s, round %(label)s: by member agency"),
}


def national_name(lang: str) -> str:
    return translate(lang, "National reference (each association weighted equally)")


def overview_radar(overview: RoundOverview, lang: str) -> go.Figure:
    rows = overview.rows
    return charts.radar(
        [r.name for r in rows],
        [
            charts.Series(overview.association, [r.mean for r in rows], n=[r.n for r in rows]),
            charts.Series(national_name(lang), [r.national_mean for r in rows], dashed=True),
        ],
        translate(
            lang,
            "%(name)s, round %(label)s: compared with the national reference",
            name=overview.association,
            label=overview.round_label,
        ),
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
    title = translate(lang, BREAKDOWN_TITLES[table.by], name=association, label=label)
    return charts.radar([row.name for row in table.rows], series, title, lang=lang)


def overview_distribution(
    overview: RoundOverview, scale_labels: Sequence[str], lang: str
) -> go.Figure:
    rows = overview.rows
    return charts.distribution(
        [r.name for r in rows],
        [r.shares for r in rows],
        scale_labels,
        translate(
            lang,
            "%(name)s, round %(label)s: how people answered per dimension",
            name=overview.association,
            label=overview.round_label,
        ),
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
        translate(
            lang,
            "%(dimension)s: how people answered per statement",
            dimension=section.dimension.name,
        ),
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
    title = translate(
        lang,
        "Round %(label)s: %(name)s compared with chosen associations",
        label=picture.label,
        name=chosen[0].name,
    )
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
        translate(lang, "Round %(label)s: all associations per dimension", label=picture.label),
        picture.k,
        lang=lang,
    )
