"""The response rate of a round, live: counts only, never who answered what.

Invited, answering now (drafts) and submitted come from `status`; submitted per day from
the per-day count; submitted by role and by member agency only where every count shown is
at least k, and never so that a hidden count can be worked out from the total minus the
shown ones (the same rule as the board's breakdowns, `survey.disclosure.complementary`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.disclosure import complementary, effective_k
from survey.rounds import status


@dataclass(frozen=True)
class GroupCount:
    code: str
    n: int | None  # None: hidden (under k, or so that a hidden group cannot be worked out)


@dataclass(frozen=True)
class ResponseRate:
    counts: status.RoundStatus
    #: Submitted responses per day, oldest first (days with none are left out).
    per_day: list[tuple[dt.date, int]]
    #: None when nothing can be shown (fewer than k in every group, or all hidden).
    by_role: list[GroupCount] | None
    by_agency: list[GroupCount] | None
    k: int

    @property
    def hidden_groups(self) -> bool:
        return any(g.n is None for g in (self.by_role or []) + (self.by_agency or []))


def safe_counts(counts: dict[str, int], total: int, k: int) -> list[GroupCount] | None:
    """The groups' counts where each shown one is ≥ k and the hidden ones together are 0
    or ≥ k, so no hidden group is the total minus the shown ones; hiding one group alone
    would give it away, so a group under k always takes another with it. None when no
    group can be shown."""
    k = effective_k(k)
    shown = sorted((n, code) for code, n in counts.items() if n >= k)  # smallest first
    rest = total - sum(n for n, _code in shown)
    hidden = complementary(shown, (rest,), k, lambda group: (group[0],))
    visible = {code: n for n, code in shown if (n, code) not in hidden}
    if not visible:
        return None
    return [GroupCount(code, visible.get(code)) for code in sorted(counts)]


def response_rate(session: Session, round_id: int, k: int) -> ResponseRate:
    """Three statements: the counts, submitted per day, submitted by role × agency."""
    k = effective_k(k)
    counts = status.round_status(session, round_id)
    day = models.SubmissionDay
    per_day = [
        (d, n)
        for d, n in session.execute(
            select(day.day, day.submitted).where(day.round_id == round_id).order_by(day.day)
        )
    ]
    cells = session.execute(
        select(models.Response.role, models.Response.agency, func.count())
        .where(models.Response.round_id == round_id)
        .group_by(models.Response.role, models.Response.agency)
    ).all()
    roles: Counter[str] = Counter()
    agencies: Counter[str] = Counter()
    for role, agency, n in cells:
        roles[role or ""] += n
        agencies[agency or ""] += n
    total = sum(roles.values())
    return ResponseRate(
        counts,
        per_day,
        safe_counts(dict(roles), total, k),
        safe_counts(dict(agencies), total, k),
        k,
    )
