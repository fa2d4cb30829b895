"""A round's life: draft → open → closed, the dates that bound it, and finding rounds."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session, contains_eager, joinedload, object_session

from survey.db import models
from survey.db.models import InvitationKind, RoundState
from survey.errors import NotFound, RoundNotOpen, RoundSetupError
from survey.i18n import N_
from survey.rounds.associations import find_association

LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def label_order(label: str) -> tuple:
    """A key that compares labels with runs of digits as numbers ("9" before "10"), for
    labels across förbund; one förbund's rounds follow their `sequence` instead."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.findall(r"\d+|\D+", label)
    )


def create_round(
    session: Session,
    association: models.Association,
    questionnaire: models.Questionnaire,
    label: str,
    *,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    state: str = RoundState.DRAFT,
) -> models.Round:
    if state not in set(RoundState):
        raise ValueError(f"unknown round state {state!r}")
    if not LABEL_RE.match(label):
        raise RoundSetupError(
            N_(
                "'%(label)s' is not a usable round label: use letters, digits, '.', '_' or "
                "'-', e.g. 2026"
            ),
            field="label",
            label=label,
        )
    if opens_on and closes_on and closes_on < opens_on:
        raise _closes_before_opens(closes_on, opens_on)
    if association.id is None:
        session.add(association)
        session.flush()
    taken = select(models.Round.id).filter_by(association_id=association.id, label=label)
    if session.scalar(taken) is not None:
        raise RoundSetupError(
            N_("%(name)s already has a round '%(label)s'"),
            field="label",
            name=association.name,
            label=label,
        )
    rnd = models.Round(
        association=association,
        questionnaire=questionnaire,
        label=label,
        sequence=_place(session, association.id, opens_on),
        opens_on=opens_on,
        closes_on=closes_on,
        state=state,
    )
    session.add(rnd)
    session.flush()
    return rnd


def _place(session: Session, association_id: int, opens_on: dt.date | None) -> int:
    """A new round's place in its förbund's time order: after every round that opens on or
    before it (or has no opening date), before the first that opens later, which moves
    up one (so a past round entered afterwards, with its dates, still comes first); a
    round without an opening date goes last."""
    order = select(models.Round.id, models.Round.sequence, models.Round.opens_on).filter_by(
        association_id=association_id
    )
    rounds = session.execute(order.order_by(models.Round.sequence.desc())).all()
    later = [r for r in rounds if opens_on and r.opens_on and r.opens_on > opens_on]
    place = min((r.sequence for r in later), default=(rounds[0].sequence if rounds else 0) + 1)
    for r in rounds:  # highest first, so no two rounds ever share a place
        if r.sequence >= place:
            session.execute(
                update(models.Round).where(models.Round.id == r.id).values(sequence=r.sequence + 1)
            )
    return place


def _closes_before_opens(closes: dt.date, opens: dt.date) -> RoundSetupError:
    return RoundSetupError(
        N_("the round closes (%(closes)s) before it opens (%(opens)s)"),
        field="closes",
        closes=closes.isoformat(),
        opens=opens.isoformat(),
    )


def open_round(rnd: models.Round, today: dt.date, closes_on: dt.date | None = None) -> None:
    """Open a draft round, or reopen a closed one (with a new closing date if it passed)."""
    if rnd.state == RoundState.OPEN:
        raise RoundSetupError(N_("round %(label)s is already open"), label=rnd.label)
    if rnd.state == RoundState.PUBLISHED:
        # Its figures are out; new answers would let anyone subtract their way to them.
        raise RoundSetupError(
            N_("round %(label)s is published and cannot be reopened"), label=rnd.label
        )
    new_close = closes_on or rnd.closes_on
    if new_close and new_close < today:
        raise RoundSetupError(
            N_(
                "round %(label)s would close on %(closes)s, which has passed: give a new "
                "closing date"
            ),
            field="closes",
            label=rnd.label,
            closes=new_close.isoformat(),
        )
    if new_close and rnd.opens_on and new_close < rnd.opens_on:
        raise _closes_before_opens(new_close, rnd.opens_on)
    rnd.closes_on = new_close
    rnd.state = RoundState.OPEN


def close_round(rnd: models.Round, today: dt.date) -> None:
    """Stop accepting answers now. Unfinished answers are kept (they count only if the
    round is reopened and they are submitted); the closing date becomes today so the page a
    late respondent sees tells the truth."""
    if rnd.state != RoundState.OPEN:
        raise RoundSetupError(
            N_("round %(label)s is %(state)s, not open"),
            label=rnd.label,
            state=rnd.state,
        )
    rnd.state = RoundState.CLOSED
    if rnd.closes_on is None or rnd.closes_on > today:
        rnd.closes_on = today
    fix_invited(rnd)


def publish_round(rnd: models.Round, today: dt.date) -> None:
    """Release a closed round's figures. Only now do results exist anywhere: while a round
    is open, two loads of a page around one submit would give that person away."""
    if rnd.state == RoundState.PUBLISHED:
        raise RoundSetupError(N_("round %(label)s is already published"), label=rnd.label)
    if effective_state(rnd, today) != RoundState.CLOSED:
        raise RoundSetupError(
            N_("round %(label)s is %(state)s: close it before publishing"),
            label=rnd.label,
            state=effective_state(rnd, today),
        )
    if rnd.closes_on is None or rnd.closes_on > today:
        rnd.closes_on = today
    if rnd.state == RoundState.OPEN:  # past its last day, never closed: N is fixed now
        fix_invited(rnd)
    rnd.state = RoundState.PUBLISHED


def fix_invited(rnd: models.Round) -> None:
    """Store N, the number invited, as the round stops taking answers: its personal links,
    None when it has a shared link (anyone could answer) or no links. The intervals use
    this stored number, so no later change to the links changes a published figure."""
    session = object_session(rnd)
    assert session is not None, "a round is closed inside a unit of work"
    kinds = dict(
        session.execute(
            select(models.Invitation.kind, func.count())
            .where(models.Invitation.round_id == rnd.id)
            .group_by(models.Invitation.kind)
        ).all()
    )
    personal = kinds.get(InvitationKind.PERSONAL, 0)
    rnd.invited = None if kinds.get(InvitationKind.SHARED) or not personal else personal


def ensure_links_changeable(rnd: models.Round) -> None:
    """Links are made and revoked only while a round can still be answered: once it is
    closed its N is fixed (and with it the published intervals), and new links would lead
    nowhere."""
    if rnd.state in (RoundState.CLOSED, RoundState.PUBLISHED):
        raise RoundSetupError(
            N_(
                "Round %(label)s is %(state)s: its links can no longer be made or revoked "
                "(the number invited was fixed when it closed, and the published figures "
                "use it)."
            ),
            label=rnd.label,
            state=rnd.state,
        )


def delete_round(session: Session, rnd: models.Round) -> None:
    """Delete a round that never opened, with its links. Any other round has had links in
    use and perhaps answers: it is closed instead, never deleted."""
    if rnd.state != RoundState.DRAFT:
        raise RoundSetupError(
            N_(
                "round %(label)s is %(state)s: only a draft round, which never opened, can be "
                "deleted"
            ),
            label=rnd.label,
            state=rnd.state,
        )
    session.execute(delete(models.Invitation).where(models.Invitation.round_id == rnd.id))
    session.delete(rnd)
    session.flush()


def is_published(rnd: Schedule) -> bool:
    return rnd.state == RoundState.PUBLISHED


class Schedule(Protocol):
    state: str
    opens_on: dt.date | None
    closes_on: dt.date | None


def effective_state(rnd: Schedule, today: dt.date) -> str:
    """What a respondent meets today: an open round outside its dates is draft or closed."""
    if rnd.state != RoundState.OPEN:
        return rnd.state
    if rnd.opens_on and today < rnd.opens_on:
        return RoundState.DRAFT
    if rnd.closes_on and today > rnd.closes_on:
        return RoundState.CLOSED
    return RoundState.OPEN


def ensure_accepting(rnd: models.Round, today: dt.date) -> None:
    state = effective_state(rnd, today)
    if state != RoundState.OPEN:
        raise RoundNotOpen(state, rnd.opens_on, rnd.closes_on)


def _rounds_query() -> Select[tuple[models.Round]]:
    # The questionnaire comes in the same statement: every caller compares instrument keys
    # or walks the round's dimensions, which would otherwise load it separately.
    return (
        select(models.Round)
        .options(joinedload(models.Round.questionnaire))
        .order_by(models.Round.sequence)
    )


def rounds_of(session: Session, association: models.Association) -> list[models.Round]:
    return list(session.scalars(_rounds_query().filter_by(association_id=association.id)))


def _choose(rounds: Sequence[models.Round], label: str | None, within: str) -> models.Round:
    """The round with this label; when none, the latest published one (the rounds are in
    time order), else the latest."""
    if label is None and rounds:
        published = [r for r in rounds if is_published(r)]
        return (published or list(rounds))[-1]
    for rnd in rounds:
        if rnd.label == label:
            return rnd
    if label is None:
        raise NotFound("no_rounds", "", within=within)
    raise NotFound("round", label, within=within)


def find_round(
    session: Session, association: models.Association, label: str | None
) -> models.Round:
    """The round with this label, or the latest when no label is given."""
    return _choose(rounds_of(session, association), label, association.name)


def _earlier(rounds: Sequence[models.Round], rnd: models.Round) -> list[models.Round]:
    """Only published rounds have figures, so only they make a trend or a change."""
    return [
        r
        for r in rounds
        if r.sequence <= rnd.sequence
        and r.questionnaire.key == rnd.questionnaire.key
        and (r is rnd or is_published(r))
    ]


@dataclass(frozen=True)
class RoundHistory:
    """A round and all its förbund's rounds (in time order), read once: a page's round picker,
    trend and previous round all come from this list instead of each querying it again."""

    round: models.Round
    rounds: list[models.Round]

    @property
    def association(self) -> models.Association:
        return self.round.association

    @property
    def earlier(self) -> list[models.Round]:
        """Up to and including this round, with the same instrument (key), oldest first;
        dimension codes are stable across versions, so they compare."""
        return _earlier(self.rounds, self.round)

    @property
    def previous(self) -> models.Round | None:
        earlier = self.earlier
        return earlier[-2] if len(earlier) > 1 else None


def history_of(session: Session, rnd: models.Round) -> RoundHistory:
    return RoundHistory(rnd, rounds_of(session, rnd.association))


def round_history(
    session: Session, association_slug: str, label: str | None, *, items: bool = False
) -> RoundHistory:
    """The round `label` (the latest when None) of the förbund with this short name, with
    its förbund and all its rounds, their questionnaires and dimensions (and statements,
    with `items`) in one statement per table: a page walks them without lazy loads."""
    dimensions = joinedload(models.Round.questionnaire).selectinload(
        models.Questionnaire.dimensions
    )
    if items:
        dimensions = dimensions.selectinload(models.Dimension.items)
    stmt = (
        _rounds_query()
        .join(models.Round.association)
        .where(models.Association.slug == association_slug)
        .options(contains_eager(models.Round.association), dimensions)
    )
    rounds = list(session.scalars(stmt))
    # No rounds: an unknown short name (NotFound from find_association) or no such round.
    within = (
        rounds[0].association.name if rounds else find_association(session, association_slug).name
    )
    return RoundHistory(_choose(rounds, label, within), rounds)


def round_by_name(session: Session, association_slug: str, label: str) -> models.Round:
    """The round `label` of the förbund with this short name, or NotFound naming which."""
    return find_round(session, find_association(session, association_slug), label)
