"""Use cases of running a round, each one unit of work: the command line, the web and the
tests call these unchanged, and none of them commits on its own."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from survey.db import models
from survey.db.engine import transaction
from survey.instruments.catalog import find_questionnaire
from survey.rounds import associations, invitations, lifecycle


def add_association(session: Session, slug: str, name: str) -> models.Association:
    with transaction(session):
        return associations.create_association(session, slug, name)


def create_round(
    session: Session,
    association_slug: str,
    label: str,
    questionnaire: str,
    *,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
) -> models.Round:
    """A new round in draft; `questionnaire` is KEY:VERSION, or KEY for its latest."""
    with transaction(session):
        return lifecycle.create_round(
            session,
            associations.find_association(session, association_slug),
            find_questionnaire(session, questionnaire),
            label,
            opens_on=opens_on,
            closes_on=closes_on,
        )


def open_round(
    session: Session, association_slug: str, label: str, today: dt.date, closes_on=None
) -> models.Round:
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.open_round(rnd, today, closes_on)
        return rnd


def close_round(
    session: Session, association_slug: str, label: str, today: dt.date
) -> models.Round:
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.close_round(rnd, today)
        return rnd


def invite(
    session: Session, association_slug: str, label: str, count: int
) -> tuple[models.Round, list[str]]:
    """`count` personal one-time links; the tokens are returned once and never stored."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        return rnd, invitations.create_invitations(session, rnd, count)


def share(session: Session, association_slug: str, label: str) -> tuple[models.Round, str]:
    """One shared link; each visitor is handed a personal link of their own."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        return rnd, invitations.create_shared_link(session, rnd)
