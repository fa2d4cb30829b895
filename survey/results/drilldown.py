"""Statement by statement within each dimension of one förbund's round: how people answered
(after reverse coding, so higher always means more mature), and the change since the
previous round."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey.db import models
from survey.errors import NotFound
from survey.instruments.catalog import definition_of
from survey.results import scoring, snapshot
from survey.results.overview import DimensionRow, overview_of
from survey.results.uncertainty import Difference, welch
from survey.rounds.lifecycle import RoundHistory


@dataclass(frozen=True)
class ItemRow:
    code: str
    text: str
    reverse: bool
    stat: scoring.ItemStat  # suppressed: no figures
    change: float | None  # None unless this and the previous round are both shown
    difference: Difference | None = None  # the change with its 95 % interval
    #: The previous round's statement this one replaced with a changed meaning (a new
    #: code, so never compared with it); None when the previous round asked this one.
    replaces: str | None = None

    @property
    def shares(self) -> tuple[float, ...] | None:
        """Shares of 1–5 after reverse coding (higher is more mature)."""
        return scoring.shares(self.stat.distribution)

    @property
    def given_shares(self) -> tuple[float, ...] | None:
        """Shares of 1–5 as the respondents answered: a reverse statement's recoded 5 was
        answered 1, so its counts are read backwards. These match the agreement labels."""
        found = self.shares
        if found is None or not self.reverse:
            return found
        return tuple(reversed(found))


@dataclass(frozen=True)
class DimensionItems:
    dimension: DimensionRow
    description: str
    items: list[ItemRow]


def item_drilldown(
    session: Session, history: RoundHistory, k: int, lang: str, dimension: str | None = None
) -> list[DimensionItems]:
    """Every dimension of the round (or only `dimension`, a code) with its statements.

    It walks each dimension's statements: load them with the round
    (`round_history(..., items=True)`), or every dimension asks for its own."""
    rnd, previous = history.round, history.previous
    dims = rnd.questionnaire.dimensions
    if dimension is not None:
        dims = [d for d in dims if d.code == dimension]
        if not dims:
            raise NotFound("dimension", dimension)
    overview = {row.code: row for row in overview_of(session, history, k, lang).rows}
    ids = [rnd.id] + ([previous.id] if previous else [])
    stats = snapshot.item_stats(session, ids, k)
    now = {s.item: s for s in stats if s.round_id == rnd.id}
    before = {s.item: s for s in stats if previous and s.round_id == previous.id}
    descriptions = _descriptions(rnd, lang)
    replaced = _replaced(rnd, previous)
    result = []
    for dim in dims:
        items = []
        for item in dim.items:
            stat = now.get(item.code) or scoring.ItemStat(rnd.id, item.code, 0, True)
            prev = before.get(item.code)
            change = difference = None
            if stat.mean is not None and prev is not None and prev.mean is not None:
                change = stat.mean - prev.mean
                if stat.sample and prev.sample:
                    difference = welch(stat.sample, prev.sample)
            text = item.text_en if lang == "en" else item.text_sv
            row = ItemRow(
                item.code, text, item.reverse, stat, change, difference, replaced.get(item.code)
            )
            items.append(row)
        result.append(DimensionItems(overview[dim.code], descriptions.get(dim.code, ""), items))
    return result


def _replaced(rnd: models.Round, previous: models.Round | None) -> dict[str, str]:
    """Statement code -> the code it replaced, where the previous round asked another
    version and the questionnaire says the meaning changed (`replaces:`)."""
    if previous is None or previous.questionnaire_id == rnd.questionnaire_id:
        return {}
    return {
        item.code: item.replaces.item
        for item in definition_of(rnd.questionnaire).items()
        if item.replaces and not item.replaces.comparable
    }


def _descriptions(rnd: models.Round, lang: str) -> dict[str, str]:
    q = definition_of(rnd.questionnaire)
    return {d.code: d.description.get(lang) or d.description.get("sv", "") for d in q.dimensions}
