"""The board's figures, assembled from the report objects (overview, breakdowns, national
picture, drill-down) so the pages only place them. No Flask: titles come from the UI's
catalogue through survey.i18n, everything else from the questionnaire and the database.

Every colour comes from survey.results.colours by what a series is (our förbund, the
national reference, a round by its place, a role or agency by its place among the
choices), never by its place in one chart. A chart with nothing to show is a
`charts.Sentence` saying so."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from survey.i18n import N_, translate
from survey.results import colours
from survey.results.breakdowns import Breakdown, Column
from survey.results.comparisons import NationalPicture
from survey.results.drilldown import DimensionItems
from survey.results.overview import RoundOverview
from survey.web import charts

Chart = go.Figure | charts.Sentence

#: Radar titles by what a breakdown splits on.
BREAKDOWN_TITLES = {
    "round": N_("%(name)s: round by round"),
    "role": N_("%(name)s, round %(label)s: by role"),
    "agency": N_("%(name)s, round %(label)s: by member agency"),
}
#: What a breakdown chart would have shown, for the sentence that stands in its place.
BREAKDOWN_SUBJECTS = {
    "round": N_("the rounds"),
    "role": N_("any role"),
    "agency": N_("any member agency"),
}
BREAKDOWN_LEGENDS = {
    "round": N_("Round"),
    "role": N_("Role"),
    "agency": N_("Member agency"),
}


def national_name(lang: str) -> str:
    return translate(lang, "National reference (each association weighted equally)")


def column_colour(by: str, column: Column) -> str:
    """A round by its place before the one shown; a role or agency by its choice."""
    if by == "round":
        return colours.round_colour(column.position)
    return colours.group_colour(column.position)


def overview_radar(overview: RoundOverview, lang: str) -> Chart:
    rows = overview.rows
    own = charts.Series(
        overview.association, [r.mean for r in rows], colours.OWN, n=[r.n for r in rows]
    )
    if own.empty:
        return charts.nothing_to_show(lang, translate(lang, "the dimensions"), overview.k)
    national = charts.Series(
        national_name(lang), [r.national_mean for r in rows], colours.NATIONAL, dashed=True
    )
    return charts.radar(
        [r.name for r in rows],
        [own, national],
        translate(
            lang,
            "%(name)s, round %(label)s: compared with the national reference",
            name=overview.association,
            label=overview.round_label,
        ),
        lang=lang,
    )


def breakdown_radar(table: Breakdown, association: str, label: str, lang: str) -> Chart:
    """One trace per column that shows anything; fully suppressed columns only in the table."""
    series = [
        charts.Series(
            col.label,
            [row.cells[i].mean for row in table.rows],
            column_colour(table.by, col),
            n=[row.cells[i].n for row in table.rows],
        )
        for i, col in enumerate(table.columns)
        if table.column_shown(i)
    ]
    if not series:
        return charts.nothing_to_show(lang, translate(lang, BREAKDOWN_SUBJECTS[table.by]), table.k)
    title = translate(lang, BREAKDOWN_TITLES[table.by], name=association, label=label)
    return charts.radar(
        [row.name for row in table.rows],
        series,
        title,
        lang=lang,
        legend_title=translate(lang, BREAKDOWN_LEGENDS[table.by]),
    )


def change_chart(overview: RoundOverview, lang: str) -> Chart:
    """The change since the previous round per dimension, with its interval."""
    if not overview.previous_label:
        return charts.Sentence(
            translate(lang, "This is the first round, so there is nothing to compare with yet.")
        )
    if not overview.comparable:
        return charts.nothing_to_show(
            lang, translate(lang, "the change since the previous round"), overview.k
        )
    return charts.change_bars(
        [r.name for r in overview.rows],
        [r.difference for r in overview.rows],
        translate(
            lang,
            "%(name)s: change from round %(before)s to %(label)s",
            name=overview.association,
            before=overview.previous_label,
            label=overview.round_label,
        ),
        lang=lang,
    )


def overview_distribution(overview: RoundOverview, scale_labels: Sequence[str], lang: str) -> Chart:
    rows = overview.rows
    if all(r.shares is None for r in rows):
        return charts.nothing_to_show(lang, translate(lang, "how people answered"), overview.k)
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
        legend_title=translate(
            lang, "Recoded answers: reverse statements count as 6 − answer, 5 is most mature"
        ),
    )


def items_distribution(
    section: DimensionItems, scale_labels: Sequence[str], k: int, lang: str
) -> Chart:
    """Each statement's answers as given, so the agreement labels are true of every bar: a
    reverse statement's "instämmer helt" is its right-hand bar, though it means less
    maturity (the label says it is reversed)."""
    items = section.items
    if all(i.shares is None for i in items):
        what = translate(lang, "the statements of %(dimension)s", dimension=section.dimension.name)
        return charts.nothing_to_show(lang, what, k)
    reverse = translate(lang, "reverse")
    return charts.distribution(
        [f"{i.code} {i.text}" + (f" ({reverse})" if i.reverse else "") for i in items],
        [i.given_shares for i in items],
        scale_labels,
        translate(
            lang,
            "%(dimension)s: how people answered per statement",
            dimension=section.dimension.name,
        ),
        k,
        dont_know=[i.stat.dont_know_share for i in items],
        lang=lang,
        legend_title=translate(lang, "Answers as given (not recoded)"),
    )


def peers_radar(picture: NationalPicture, slugs: Sequence[str], lang: str) -> go.Figure:
    """The first slug's förbund, the national reference, then the peers."""
    chosen = [picture.series(slug) for slug in slugs]
    series = [
        charts.Series(
            s.name,
            [c.mean for c in s.cells],
            colours.OWN if i == 0 else colours.group_colour(i - 1),
            n=[c.n for c in s.cells],
        )
        for i, s in enumerate(chosen)
    ]
    national = charts.Series(
        national_name(lang),
        [r.mean if r else None for r in picture.national],
        colours.NATIONAL,
        dashed=True,
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
