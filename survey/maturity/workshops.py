"""Consensus workshops: after publication a förbund's administrator opens one per round,
the group goes through the dimensions (most split first) and records an agreed current
level, an agreed target level and a short rationale for each; corrections are allowed until
the administrator marks the workshop done. Individual ratings are never touched here.
Every change goes to the audit log (who, what, when)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey.db import audit, models
from survey.db.engine import transaction
from survey.errors import WordedError
from survey.i18n import N_
from survey.instruments.catalog import definition_of
from survey.instruments.questionnaire import Questionnaire
from survey.maturity.agreed import agreed_levels, workshop_of
from survey.maturity.picture import MaturityPicture, picture_of
from survey.results import scoring, snapshot
from survey.results.publication import ensure_published
from survey.rounds.lifecycle import RoundHistory, round_history

RATIONALE_MAX_CHARS = 1000


class WorkshopRefused(WordedError):
    """A workshop change that cannot be made (not opened, already done, a bad level)."""


def _published(session: Session, slug: str, label: str) -> RoundHistory:
    history = round_history(session, slug, label)
    ensure_published(session, history)  # a workshop works on published figures only
    return history


def open_workshop(
    session: Session, slug: str, label: str, now: dt.datetime, *, actor: str | None
) -> models.Workshop:
    """Open the round's workshop (or return the one already open)."""
    with transaction(session):
        history = _published(session, slug, label)
        found = workshop_of(session, history.round.id)
        if found is not None:
            return found
        workshop = models.Workshop(round_id=history.round.id, opened_at=now)
        session.add(workshop)
        audit.record(session, actor, "workshop_opened", f"{slug}/{label}", at=now)
    return workshop


def _level(raw: str, refusal: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw not in {"1", "2", "3", "4", "5"}:
        raise WorkshopRefused(refusal, value=raw[:20])
    return int(raw)


def record_agreement(
    session: Session,
    slug: str,
    label: str,
    dimension: str,
    values: dict[str, str],
    now: dt.datetime,
    *,
    actor: str | None,
) -> models.AgreedLevel:
    """Record (or correct) one dimension's agreed current and target level and rationale;
    `values` as the form sends them ("current", "target": "1"…"5" or empty, "rationale")."""
    with transaction(session):
        history = _published(session, slug, label)
        workshop = workshop_of(session, history.round.id)
        if workshop is None:
            raise WorkshopRefused(N_("Open the workshop first."))
        if workshop.done_at is not None:
            raise WorkshopRefused(N_("The workshop is marked done: its levels are final."))
        codes = {d.code for d in history.round.questionnaire.dimensions}
        if dimension not in codes:
            raise WorkshopRefused(N_("No such dimension: %(code)s."), code=dimension)
        current = _level(
            values.get("current", ""), N_("The agreed level must be 1 to 5, not “%(value)s”.")
        )
        target = _level(
            values.get("target", ""), N_("The target level must be 1 to 5, not “%(value)s”.")
        )
        rationale = (values.get("rationale") or "").strip()
        if len(rationale) > RATIONALE_MAX_CHARS:
            raise WorkshopRefused(
                N_("The rationale is too long: at most %(max)s characters."),
                max=RATIONALE_MAX_CHARS,
            )
        row = session.get(models.AgreedLevel, (workshop.id, dimension))
        before = None if row is None else [row.current_level, row.target_level]
        if row is None:
            row = models.AgreedLevel(workshop_id=workshop.id, dimension=dimension)
            session.add(row)
        row.current_level, row.target_level = current, target
        row.rationale, row.recorded_at = rationale, now
        audit.record(
            session,
            actor,
            "workshop_level_recorded" if before is None else "workshop_level_corrected",
            f"{slug}/{label}/{dimension}",
            at=now,
            agreed_level=current,
            target_level=target,
            before=before,
        )
    return row


def finish_workshop(
    session: Session, slug: str, label: str, now: dt.datetime, *, actor: str | None
) -> models.Workshop:
    """Mark the workshop done: its agreed levels are final from now on."""
    with transaction(session):
        history = _published(session, slug, label)
        workshop = workshop_of(session, history.round.id)
        if workshop is None:
            raise WorkshopRefused(N_("Open the workshop first."))
        if workshop.done_at is None:
            workshop.done_at = now
            audit.record(session, actor, "workshop_done", f"{slug}/{label}", at=now)
    return workshop


@dataclass(frozen=True)
class WorkshopView:
    """What the projector shows: the round's picture (dimensions most split first), the
    workshop (None before it is opened), what it agreed, and the statements' figures."""

    picture: MaturityPicture
    workshop: models.Workshop | None
    agreed: dict[str, models.AgreedLevel]
    statements: dict[str, list[tuple[str, scoring.ItemStat]]]  # dimension -> (text, figures)
    questionnaire: Questionnaire

    def order(self) -> list[str]:
        return [row.code for row in self.picture.split_first()]

    def neighbours(self, code: str) -> tuple[str | None, str | None]:
        order = self.order()
        i = order.index(code)
        return (order[i - 1] if i else None, order[i + 1] if i + 1 < len(order) else None)


def workshop_view(session: Session, slug: str, label: str, k: int, lang: str) -> WorkshopView:
    history = _published(session, slug, label)
    rnd = history.round
    picture = picture_of(session, history, k, lang)
    described = definition_of(rnd.questionnaire)
    figures = {s.item: s for s in snapshot.item_stats(session, [rnd.id], k)}
    statements = {
        dim.code: [
            (item.text.get(lang) or item.text["sv"], figures[item.code])
            for item in dim.items
            if item.code in figures
        ]
        for dim in described.dimensions
    }
    return WorkshopView(
        picture, workshop_of(session, rnd.id), agreed_levels(session, rnd.id), statements, described
    )
