"""Everything one board page about a förbund's round shows, gathered in one call so each
query runs once per request: the förbund's rounds once (round picker, previous round and
trend), the figures of overview, trend and breakdowns in one read of the publication
snapshot (survey.results.snapshot: computed when the round was published, live for a
round without one), and the questionnaire's dimensions (with their statements where the
page lists them) loaded with the round, never one dimension at a time. The web views and
the API parse the request, call one of these, and render.

tests/test_statement_budget.py holds each page to its number of statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey.db import models
from survey.disclosure import DEFAULT_REFERENCE_ASSOCIATIONS
from survey.instruments.catalog import definition_of
from survey.results import snapshot
from survey.results.breakdowns import Breakdown, breakdown, trend_of
from survey.results.drilldown import DimensionItems, item_drilldown
from survey.results.overview import RoundOverview, dimension_name, overview_of, scale_labels
from survey.results.publication import ensure_published
from survey.results.scoring import BREAKDOWNS
from survey.rounds.lifecycle import RoundHistory, round_history


@dataclass(frozen=True)
class RoundPage:
    """Where the page is: the förbund, the round shown, all its rounds (for the picker)."""

    history: RoundHistory
    scale: list[str]  # labels of the points 1–5, as the respondents saw them

    @property
    def association(self) -> models.Association:
        return self.history.association

    @property
    def round(self) -> models.Round:
        return self.history.round

    @property
    def rounds(self) -> list[models.Round]:
        return self.history.rounds


@dataclass(frozen=True)
class RoundReport(RoundPage):
    """The dashboard, the board report and their JSON."""

    overview: RoundOverview
    by_role: Breakdown
    by_agency: Breakdown
    trend: Breakdown | None  # None when not asked for (the JSON has none)


@dataclass(frozen=True)
class StatementsPage(RoundPage):
    """The statements of every dimension, or of the one chosen."""

    dimensions: list[tuple[str, str]]  # (code, name) of all, for the dimension picker
    sections: list[DimensionItems]

    @property
    def previous(self) -> models.Round | None:
        return self.history.previous


def round_report(
    session: Session,
    slug: str,
    label: str | None,
    k: int,
    lang: str,
    *,
    trend: bool = True,
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> RoundReport:
    """The round `label` (the latest when None) of the förbund `slug`: overview, breakdowns
    by role and by agency, and (with `trend`) the trend over its earlier rounds."""
    history = round_history(session, slug, label)
    ensure_published(session, history)
    rnd = history.round
    # One dimension_stats for the overview (this round and the previous one) and the trend
    # (every earlier round); a round's figures do not depend on the rounds asked with it.
    rounds = history.earlier if trend else [r for r in (history.previous, rnd) if r]
    # The breakdowns come in the same read of the publication snapshot.
    q = definition_of(rnd.questionnaire)
    groups = {by: q.group_of(by) for by in BREAKDOWNS}
    found = snapshot.group_stats(session, [r.id for r in rounds], k, groups, rnd.id)
    stats = found[None]
    return RoundReport(
        history,
        scale_labels(rnd, lang),
        overview=overview_of(session, history, k, lang, stats, reference_minimum=reference_minimum),
        by_role=breakdown(session, rnd, k, lang, "role", found["role"]),
        by_agency=breakdown(session, rnd, k, lang, "agency", found["agency"]),
        trend=trend_of(session, history, k, lang, stats) if trend else None,
    )


def statements_page(
    session: Session, slug: str, label: str | None, k: int, lang: str, dimension: str | None
) -> StatementsPage:
    """The statements of round `label` (the latest when None) of the förbund `slug`, in
    every dimension or only in `dimension` (a code)."""
    history = round_history(session, slug, label, items=True)
    ensure_published(session, history)
    rnd = history.round
    return StatementsPage(
        history,
        scale_labels(rnd, lang),
        dimensions=[(d.code, dimension_name(d, lang)) for d in rnd.questionnaire.dimensions],
        sections=item_drilldown(session, history, k, lang, dimension),
    )
