"""Use cases of answering, each one unit of work on a link: start from a shared link, save
the questions about the respondent, save a page, submit, purge abandoned drafts. The web
pages, the demo and the tests call these; the link is looked up (and locked) inside the
unit of work, so two posts with one link are handled one after the other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from survey.answering import drafts, links, purging, submission, validation
from survey.answering.links import Link, RoundView
from survey.answering.sealing import Content
from survey.db.engine import forget_deleted, transaction
from survey.db.models import InvitationKind
from survey.errors import InvalidToken, NotFound
from survey.instruments.questionnaire import Questionnaire
from survey.rounds import invitations, lifecycle


@dataclass(frozen=True)
class Saved:
    """What a save leaves, for the page that follows it without looking the link up again:
    the questionnaire (how many parts) and the draft's content as saved."""

    questionnaire: Questionnaire
    content: Content


def _personal_link(session: Session, token: str, today: dt.date) -> Link:
    """The personal link, locked, of a round that accepts answers today."""
    link = links.find_link(session, token, lock=True)
    lifecycle.ensure_accepting(link.round, today)
    if link.kind != InvitationKind.PERSONAL:
        raise InvalidToken()  # a shared link only hands out personal ones
    return link


def personal_link_from_shared(session: Session, shared_token: str, today: dt.date) -> str:
    """A fresh personal link for one visitor of a shared link, so they can resume."""
    with transaction(session):
        shared = invitations.find_invitation(session, shared_token, lock=True)
        lifecycle.ensure_accepting(shared.round, today)
        if shared.kind != InvitationKind.SHARED:
            raise InvalidToken()
        return invitations.personal_link_from_shared(session, shared)


def save_background(
    session: Session,
    token: str,
    values: Mapping[str, str],
    *,
    complete: bool,
    language: str,
    now: dt.datetime,
    today: dt.date,
) -> Saved:
    """Store the questions about the respondent; `complete` demands role and agency."""
    with transaction(session):
        link = _personal_link(session, token, today)
        checked = validation.check_background(link.questionnaire, values, complete=complete)
        draft = drafts.start_or_resume(session, link, now)
        content = drafts.save_background(session, draft, token, checked, language, now)
    return Saved(link.questionnaire, content)


def save_page(
    session: Session,
    token: str,
    dimension_code: str,
    ratings: Mapping[str, str],
    comment: str | None,
    *,
    language: str,
    now: dt.datetime,
    today: dt.date,
) -> Saved:
    """Replace one dimension's answers (and comment) with a checked page."""
    return save_part(
        session, token, dimension_code, ratings, comment, language=language, now=now, today=today
    )


def save_part(
    session: Session,
    token: str,
    part: str | int,
    ratings: Mapping[str, str],
    comment: str | None,
    *,
    language: str,
    now: dt.datetime,
    today: dt.date,
) -> Saved:
    """`save_page` for a dimension by its code or by its number as the pages count them
    (1 the first); NotFound for a number the questionnaire does not have."""
    with transaction(session):
        link = _personal_link(session, token, today)
        q = link.questionnaire
        if isinstance(part, int):
            if not 1 <= part <= len(q.dimensions):
                raise NotFound("dimension", str(part))
            dimension = q.dimensions[part - 1]
        else:
            dimension = q.dimension(part)
        page = validation.check_dimension(q, dimension, ratings, comment)
        draft = drafts.start_or_resume(session, link, now)
        content = drafts.save_dimension(session, draft, token, dimension, page, now)
    return Saved(q, content)


def submit(
    session: Session, token: str, *, language: str, now: dt.datetime, today: dt.date
) -> RoundView:
    """Make the answers final; the link is dead afterwards, and no copy of the database
    made from now on can join the answers to it. Returns the round (with its förbund), for
    the thank-you page."""
    with transaction(session):
        link = _personal_link(session, token, today)
        draft = drafts.start_or_resume(session, link, now)
        content = drafts.read(session, draft, token)
        submission.submit(session, link, draft, content, language, today)
    forget_deleted(session, wait=False)
    return link.round


def purge_drafts(session: Session, saved_before: dt.datetime) -> int:
    """Delete unfinished answers last saved before `saved_before`; returns how many."""
    with transaction(session):
        count = purging.purge_abandoned(session, saved_before)
    forget_deleted(session)
    return count
