"""Disclosure control for the researcher's row-level file: the quasi-identifiers (förbund,
role, agency) are recoded until every combination of round, förbund, role and agency in
the file holds at least k respondents. No Flask here.

Global recoding in the spirit of sdcMicro, decided per förbund × round (a "cell") from
counts made in SQL (GROUP BY round, role, agency: a few hundred rows, never the answers):

1. a role or an agency with fewer than k respondents in the cell becomes its report group
   where the questionnaire merges it with other choices for reporting (`report_groups:`;
   the whole group, so it means what its label says) and that group holds k, else OTHER
   ("ovrig");
2. a role × agency combination still below k gets its agency coarsened (role, ovrig); if that
   group is still below k, its role instead (ovrig, agency); then both (ovrig, ovrig);
3. if (ovrig, ovrig) is still below k, the smallest other group joins it until it holds k
   (the cell holds at least k, so this ends).

A förbund × round with fewer than k responses cannot be protected inside itself. Such rounds
are pooled per round label and questionnaire version into the förbund code OTHER, and the
pool is then recoded as one cell. A pool is exported only whole: every one of its rounds in
the selection and at least k responses together; otherwise its rows are left out (and the
Metadata sheet says how many). Pools are formed over the whole database, not the
selection, so two exports with different förbund filters never differ in a way that tells
which rows of a pool belong to which förbund (the answers themselves are unchanged, so rows
can be matched across exports).

Statement values are never touched; only the three quasi-identifiers change.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.disclosure import effective_k
from survey.exports.codebook import AGENCY, ASSOCIATION, OTHER, ROLE
from survey.exports.selection import SelectedRound, Selection
from survey.results.gate import published

Combination = tuple[str | None, str | None]  # (role, agency); None = not answered
BOTH_OTHER: Combination = (OTHER, OTHER)


class GroupCount(NamedTuple):
    """Submitted responses of one round with one role and agency (a row of the GROUP BY)."""

    round_id: int
    label: str
    questionnaire_id: int
    role: str | None
    agency: str | None
    n: int


@dataclass(frozen=True)
class Change:
    """One line of the recoding list: in round `label`, förbund `association` (as published),
    `responses` respondents had `variable` changed from `before` to `after`."""

    label: str
    association: str
    variable: str
    before: str | None
    after: str | None
    responses: int


@dataclass(frozen=True)
class Recoding:
    """What the file publishes instead of each round's quasi-identifiers."""

    k: int
    recoded: bool
    #: Every (round, role, agency) the plan counted → what the file shows (recoded plans).
    codes: Mapping[tuple[int, Combination], Combination] = field(default_factory=dict)
    pooled: frozenset[int] = frozenset()  # round ids whose förbund is published as OTHER
    left_out: Mapping[int, int] = field(default_factory=dict)  # round id → responses
    changes: tuple[Change, ...] = ()
    responses: int = 0  # rows the file will hold
    respondents_recoded: int = 0
    cells_recoded: int = 0  # quasi-identifier values changed (förbund, role, agency)

    def kept(self, round_ids: Iterable[int]) -> list[int]:
        """The rounds whose rows go into the file."""
        return [r for r in round_ids if r not in self.left_out]

    def publish(
        self, round_id: int, slug: str, role: str | None, agency: str | None
    ) -> tuple[str, str | None, str | None] | None:
        """(förbund, role, agency) as the file shows them for one response, or None to
        leave it out: a response submitted after the counts were made, in a combination
        they did not see, might form a group under k. (One submitted into a counted
        combination only makes its group larger, which keeps the guarantee.)"""
        if not self.recoded:
            return slug, role, agency
        published = self.codes.get((round_id, (role, agency)))
        if published is None:
            return None
        return (OTHER if round_id in self.pooled else slug, *published)


def group_counts(session: Session, labels: Iterable[str]) -> list[GroupCount]:
    """Submitted responses per round, role and agency, for every round with these labels
    (also those outside the selection: pools are formed over the whole database)."""
    stmt = (
        select(
            models.Round.id,
            models.Round.label,
            models.Round.questionnaire_id,
            models.Response.role,
            models.Response.agency,
            func.count(),
        )
        .join(models.Response, models.Response.round_id == models.Round.id)
        .where(
            models.Round.label.in_(list(labels)),
            # Only published rounds can be exported, so only they form groups and pools.
            published(models.Round.id),
        )
        .group_by(
            models.Round.id,
            models.Round.label,
            models.Round.questionnaire_id,
            models.Response.role,
            models.Response.agency,
        )
    )
    return [GroupCount(*row) for row in session.execute(stmt)]


# --- one cell: the pure decision ------------------------------------------------------


def _sizes(counts: Mapping[Combination, int], target: Mapping[Combination, Combination]):
    sizes: Counter[Combination] = Counter()
    for key, n in counts.items():
        sizes[target[key]] += n
    return sizes


def _coarsen(
    counts: Mapping[Combination, int],
    target: dict[Combination, Combination],
    k: int,
    step: Callable[[Combination, Combination], Combination],
) -> None:
    """Moves every group below k (whole: a group is never split) by `step(group, original)`."""
    sizes = _sizes(counts, target)
    for key, group in target.items():
        if sizes[group] < k:
            target[key] = step(group, key)


def _order(group: Combination) -> tuple[str, str]:
    return (group[0] or "", group[1] or "")


#: Report groups of role and of agency (choice -> group code), as the questionnaire says.
Merges = tuple[Mapping[str, str], Mapping[str, str]]


def _marginal(values: Counter[str | None], merge: Mapping[str, str], k: int):
    """Each value -> itself when it holds k, else its report group when the group holds k
    (every choice of a group with a rare member moves, so the group is whole), else OTHER."""
    groups: Counter[str] = Counter()
    short: set[str] = set()
    for value, n in values.items():
        group = merge.get(value) if value is not None else None
        if group is not None:
            groups[group] += n
            if n < k:
                short.add(group)

    def to(value: str | None) -> str | None:
        group = merge.get(value) if value is not None else None
        if group in short and groups[group] >= k:
            return group
        return value if values[value] >= k else OTHER

    return to


def recode_cell(
    counts: Mapping[Combination, int], k: int, merges: Merges = ({}, {})
) -> dict[Combination, Combination]:
    """Maps each (role, agency) of one cell to what the file shows, so that every published
    combination holds at least k respondents. The cell must hold at least k in total."""
    if sum(counts.values()) < k:
        raise ValueError("a cell with fewer than k responses cannot be recoded inside itself")
    roles: Counter[str | None] = Counter()
    agencies: Counter[str | None] = Counter()
    for (role, agency), n in counts.items():
        roles[role] += n
        agencies[agency] += n
    # Rare values first (global recoding of each variable), then rare combinations.
    role_to, agency_to = _marginal(roles, merges[0], k), _marginal(agencies, merges[1], k)
    marginal = {(role, agency): (role_to(role), agency_to(agency)) for role, agency in counts}
    target = dict(marginal)
    # A group whose role is already OTHER keeps its agency here: pass two may fill it up.
    _coarsen(
        counts, target, k, lambda group, _key: (group[0], OTHER) if group[0] != OTHER else group
    )
    # A role kept but rare with the coarsened agency: give up the role, keep the agency.
    _coarsen(
        counts,
        target,
        k,
        lambda group, key: (OTHER, marginal[key][1]) if group[0] != OTHER else group,
    )
    _coarsen(counts, target, k, lambda _group, _key: BOTH_OTHER)
    sizes = _sizes(counts, target)
    while 0 < sizes[BOTH_OTHER] < k:
        # Absorb whole groups, the smallest first: the least information lost.
        smallest = min((g for g in sizes if g != BOTH_OTHER), key=lambda g: (sizes[g], _order(g)))
        target = {key: BOTH_OTHER if g == smallest else g for key, g in target.items()}
        sizes = _sizes(counts, target)
    if min(sizes.values()) < k:  # the guarantee the file rests on; never expected to fail
        raise RuntimeError("recoding left a group below k")
    return target


# --- the whole selection --------------------------------------------------------------


class _Cell(NamedTuple):
    rounds: list[int]
    pooled: bool  # rounds with fewer than k each, published under the förbund code OTHER


def _cells(
    counts: Iterable[GroupCount], selected: set[int], k: int
) -> tuple[list[_Cell], dict[int, int]]:
    """The cells to recode, and the selected rounds left out (round id → responses)."""
    totals: Counter[int] = Counter()
    pool_of: dict[int, tuple[str, int]] = {}
    for c in counts:
        totals[c.round_id] += c.n
        pool_of[c.round_id] = (c.label, c.questionnaire_id)
    cells = [_Cell([r], False) for r, n in totals.items() if n >= k and r in selected]
    pools: defaultdict[tuple[str, int], list[int]] = defaultdict(list)
    for r, n in totals.items():
        if n < k:
            pools[pool_of[r]].append(r)
    left_out: dict[int, int] = {}
    for members in pools.values():
        # Whole or not at all: a pool cut by the selection would tell its förbund apart.
        if set(members) <= selected and sum(totals[r] for r in members) >= k:
            cells.append(_Cell(sorted(members), True))
        else:
            left_out.update({r: totals[r] for r in members if r in selected})
    return cells, left_out


@dataclass
class _Tally:
    """The recoding as it is decided, cell by cell."""

    codes: dict[tuple[int, Combination], Combination] = field(default_factory=dict)
    pooled: set[int] = field(default_factory=set)
    lines: Counter[tuple[str, str, str, str | None, str | None]] = field(default_factory=Counter)
    respondents: int = 0
    cells: int = 0

    def add(
        self, rnd: SelectedRound, pooled: bool, combination: Combination, new: Combination, n: int
    ) -> None:
        published = OTHER if pooled else rnd.association_slug
        changed = [
            (variable, before, after)
            for variable, before, after in zip((ROLE, AGENCY), combination, new, strict=True)
            if before != after
        ]
        if pooled:
            changed.insert(0, (ASSOCIATION, rnd.association_slug, OTHER))
        self.codes[(rnd.id, combination)] = new
        for variable, before, after in changed:
            self.lines[(rnd.label, published, variable, before, after)] += n
        self.respondents += n if changed else 0
        self.cells += n * len(changed)

    def changes(self) -> tuple[Change, ...]:
        variables = (ASSOCIATION, ROLE, AGENCY)
        ordered = sorted(
            self.lines.items(),
            key=lambda item: (
                item[0][:2],
                variables.index(item[0][2]),
                [v or "" for v in item[0][3:]],
            ),
        )
        return tuple(Change(*key, n) for key, n in ordered)


def plan(
    session: Session,
    selection: Selection,
    k: int,
    recode: bool = True,
    merges: Callable[[int], Merges] = lambda _questionnaire_id: ({}, {}),
) -> Recoding:
    """The recoding of the selection's rows (`recode=False`: none, for an agreement)."""
    k = effective_k(k)
    counts = group_counts(session, selection.labels)
    selected = {r.id: r for r in selection.rounds}
    in_selection = sum(c.n for c in counts if c.round_id in selected)
    if not recode:
        return Recoding(k, recoded=False, responses=in_selection)
    by_round: defaultdict[int, dict[Combination, int]] = defaultdict(dict)
    for c in counts:
        by_round[c.round_id][(c.role, c.agency)] = c.n
    cells, left_out = _cells(counts, set(selected), k)
    tally = _Tally()
    for cell in cells:
        merged: Counter[Combination] = Counter()
        for r in cell.rounds:
            merged.update(by_round[r])
        mapping = recode_cell(merged, k, merges(selected[cell.rounds[0]].questionnaire_id))
        for r in cell.rounds:
            for combination, n in by_round[r].items():
                tally.add(selected[r], cell.pooled, combination, mapping[combination], n)
    return Recoding(
        k,
        recoded=True,
        codes=tally.codes,
        pooled=frozenset(r for cell in cells if cell.pooled for r in cell.rounds),
        left_out=left_out,
        changes=tally.changes(),
        responses=in_selection - sum(left_out.values()),
        respondents_recoded=tally.respondents,
        cells_recoded=tally.cells,
    )
