"""What an administrator may see of a round: counts, never who answered what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.db.models import InvitationKind


@dataclass(frozen=True)
class RoundStatus:
    """What an administrator may see of a round: counts, never who answered what."""

    association: str
    label: str
    questionnaire: str
    state: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    personal_links: int
    used_links: int
    shared_links: int
    submitted: int
    in_progress: int
    #: The questionnaire as people know it (pages show its title, not its key).
    version: int = 0
    title_sv: str = ""
    title_en: str = ""

    @property
    def response_rate(self) -> float | None:
        """Submitted per personal link; unknown where people came through a shared link."""
        if self.shared_links or not self.personal_links:
            return None
        return self.submitted / self.personal_links


def round_statuses(
    session: Session, association_id: int | None = None, round_id: int | None = None
) -> list[RoundStatus]:
    """One row per round with its link and response counts, counted in SQL."""
    links = (
        select(
            models.Invitation.round_id,
            func.count()
            .filter(models.Invitation.kind == InvitationKind.PERSONAL)
            .label("personal"),
            func.count().filter(models.Invitation.used.is_(True)).label("used"),
            func.count().filter(models.Invitation.kind == InvitationKind.SHARED).label("shared"),
        )
        .group_by(models.Invitation.round_id)
        .subquery()
    )
    submitted = (
        select(models.Response.round_id, func.count().label("n"))
        .group_by(models.Response.round_id)
        .subquery()
    )
    busy = (
        select(models.Draft.round_id, func.count().label("n"))
        .group_by(models.Draft.round_id)
        .subquery()
    )
    stmt = (
        select(
            models.Association.slug,
            models.Round.label,
            models.Questionnaire.key,
            models.Questionnaire.version,
            models.Round.state,
            models.Round.opens_on,
            models.Round.closes_on,
            func.coalesce(links.c.personal, 0),
            func.coalesce(links.c.used, 0),
            func.coalesce(links.c.shared, 0),
            func.coalesce(submitted.c.n, 0),
            func.coalesce(busy.c.n, 0),
            models.Questionnaire.title_sv,
            models.Questionnaire.title_en,
        )
        .join(models.Round.association)
        .join(models.Round.questionnaire)
        .outerjoin(links, links.c.round_id == models.Round.id)
        .outerjoin(submitted, submitted.c.round_id == models.Round.id)
        .outerjoin(busy, busy.c.round_id == models.Round.id)
        .order_by(models.Association.slug, models.Round.sequence)
    )
    if association_id is not None:
        stmt = stmt.where(models.Round.association_id == association_id)
    if round_id is not None:
        stmt = stmt.where(models.Round.id == round_id)
    return [
        RoundStatus(slug, label, f"{key}:{version}", *rest, version, title_sv, title_en)
        for slug, label, key, version, *rest, title_sv, title_en in session.execute(stmt).all()
    ]


def round_status(session: Session, round_id: int) -> RoundStatus:
    return round_statuses(session, round_id=round_id)[0]
