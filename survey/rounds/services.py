"""Use cases of running a round, each one unit of work: the command line, the web and the
tests call these unchanged, and none of them commits on its own. Each change is written to
the audit log in the same unit of work, under `actor` (who asked: an e-mail, or "cli")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from survey.db import audit, models
from survey.db.engine import transaction
from survey.instruments.catalog import find_questionnaire
from survey.rounds import associations, invitations, lifecycle


def _name(rnd: models.Round) -> str:
    return f"{rnd.association.slug}/{rnd.label}"


def add_association(
    session: Session, slug: str, name: str, *, actor: str | None = None
) -> models.Association:
    with transaction(session):
        assoc = associations.create_association(session, slug, name)
        audit.record(session, actor, "forbund_added", slug, name=assoc.name)
        return assoc


def create_round(
    session: Session,
    association_slug: str,
    label: str,
    questionnaire: str,
    *,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    actor: str | None = None,
) -> models.Round:
    """A new round in draft; `questionnaire` is KEY:VERSION, or KEY for its latest."""
    with transaction(session):
        rnd = lifecycle.create_round(
            session,
            associations.find_association(session, association_slug),
            find_questionnaire(session, questionnaire),
            label,
            opens_on=opens_on,
            closes_on=closes_on,
        )
        audit.record(
            session,
            actor,
            "round_created",
            _name(rnd),
            questionnaire=f"{rnd.questionnaire.key}:{rnd.questionnaire.version}",
        )
        return rnd


def open_round(
    session: Session,
    association_slug: str,
    label: str,
    today: dt.date,
    closes_on: dt.date | None = None,
    *,
    actor: str | None = None,
) -> models.Round:
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.open_round(rnd, today, closes_on)
        closes = rnd.closes_on.isoformat() if rnd.closes_on else None
        audit.record(session, actor, "round_opened", _name(rnd), closes_on=closes)
        return rnd


def close_round(
    session: Session, association_slug: str, label: str, today: dt.date, *, actor: str | None = None
) -> models.Round:
    """Close without touching e-mail addresses. The page and the command close through
    `survey.mail.services.close_round`, which also deletes the round's addresses (the
    e-mail package sits above this one); the mail worker deletes any left behind."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.close_round(rnd, today)
        audit.record(session, actor, "round_closed", _name(rnd))
        return rnd


def invite(
    session: Session, association_slug: str, label: str, count: int, *, actor: str | None = None
) -> tuple[models.Round, list[str]]:
    """`count` personal one-time links; the tokens are returned once and never stored."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        tokens = invitations.create_invitations(session, rnd, count)
        audit.record(session, actor, "links_created", _name(rnd), kind="personal", count=count)
        return rnd, tokens


def share(
    session: Session, association_slug: str, label: str, *, actor: str | None = None
) -> tuple[models.Round, str]:
    """One shared link; each visitor is handed a personal link of their own."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        token = invitations.create_shared_link(session, rnd)
        audit.record(session, actor, "links_created", _name(rnd), kind="shared", count=1)
        return rnd, token
