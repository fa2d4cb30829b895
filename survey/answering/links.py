"""A respondent's link as each of their requests meets it: the invitation with its round,
förbund, questionnaire and draft, read in one Core statement (two on PostgreSQL when
locked) into plain values.

The respondent's pages are the app's busiest; the ORM's way of loading the same (an
invitation with three joined relationships and its draft) cost five times the statement
itself in the profile. Nothing here is an ORM object, so nothing loads lazily later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.errors import InvalidToken
from survey.instruments.catalog import definition_for
from survey.instruments.questionnaire import Questionnaire
from survey.rounds.invitations import hash_token, plausible

_INVITATION = models.Invitation.__table__
_ROUND = models.Round.__table__
_FORBUND = models.Association.__table__
_QUESTIONNAIRE = models.Questionnaire.__table__
_DRAFT = models.Draft.__table__


@dataclass(frozen=True)
class Forbund:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class RoundView:
    """What a respondent's pages show of the round, and when it accepts answers
    (lifecycle.Schedule)."""

    id: int
    label: str
    state: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    questionnaire_id: int
    association: Forbund


@dataclass(frozen=True)
class DraftRow:
    """A draft: its sealed content, or (saved before revision 0008) plain columns."""

    id: int
    sealed: bytes | None
    language: str = "sv"
    role: str | None = None
    agency: str | None = None
    years: str | None = None


@dataclass(frozen=True)
class Link:
    """An unused invitation (personal or shared) with its round, questionnaire and draft."""

    id: int
    kind: str
    round: RoundView
    questionnaire: Questionnaire
    draft: DraftRow | None


_DRAFT_COLUMNS = (
    _DRAFT.c.id,
    _DRAFT.c.sealed,
    _DRAFT.c.language,
    _DRAFT.c.role,
    _DRAFT.c.agency,
    _DRAFT.c.years,
)
_LINK_COLUMNS = (
    _INVITATION.c.id,
    _INVITATION.c.kind,
    _INVITATION.c.used,
    _INVITATION.c.draft_id,
    _ROUND.c.id.label("round_id"),
    _ROUND.c.label,
    _ROUND.c.state,
    _ROUND.c.opens_on,
    _ROUND.c.closes_on,
    _ROUND.c.questionnaire_id,
    _FORBUND.c.id.label("association_id"),
    _FORBUND.c.slug,
    _FORBUND.c.name,
    _QUESTIONNAIRE.c.source_sha256,
)
_JOINED = (
    _INVITATION.join(_ROUND, _ROUND.c.id == _INVITATION.c.round_id)
    .join(_FORBUND, _FORBUND.c.id == _ROUND.c.association_id)
    .join(_QUESTIONNAIRE, _QUESTIONNAIRE.c.id == _ROUND.c.questionnaire_id)
)
#: The statements are built once, with the token's hash a parameter: SQLAlchemy then finds
#: each compiled in its cache without building and keying a new statement per request
#: (for this four-table join, two thirds of the lookup's time).
_BY_HASH = _INVITATION.c.token_hash == bindparam("token_hash")
#: The draft's columns after the link's, in one statement.
_WITH_DRAFT = (
    select(*_LINK_COLUMNS, *(c.label(f"d_{c.name}") for c in _DRAFT_COLUMNS))
    .select_from(_JOINED.outerjoin(_DRAFT, _DRAFT.c.id == _INVITATION.c.draft_id))
    .where(_BY_HASH)
)
#: Locked on PostgreSQL, the draft read after the lock.
_LOCKED = (
    select(*_LINK_COLUMNS).select_from(_JOINED).where(_BY_HASH).with_for_update(of=_INVITATION)
)
_DRAFT_BY_ID = select(*_DRAFT_COLUMNS).where(_DRAFT.c.id == bindparam("draft_id"))


def find_link(session: Session, token: str, *, lock: bool = False) -> Link:
    """The unused invitation behind a token, or InvalidToken for a wrong or used one alike.

    `lock` takes the invitation's row lock (PostgreSQL; on SQLite the unit of work already
    holds the write lock) so two simultaneous posts with one link are handled one after
    the other. On PostgreSQL the draft then comes in a second statement, after the lock is
    held: joined into the locking one it would be the draft as it was when that statement
    began (none, if the other request has just made it), though the invitation is read
    afresh."""
    if not plausible(token):
        raise InvalidToken()
    separate_draft = lock and session.get_bind().dialect.name == "postgresql"
    stmt = _LOCKED if separate_draft else _WITH_DRAFT
    row = session.execute(stmt, {"token_hash": hash_token(token)}).first()
    if row is None or row.used:
        raise InvalidToken()
    if separate_draft:
        draft = _draft(session, row.draft_id)
    else:
        draft = _joined_draft(row)
    rnd = RoundView(
        id=row.round_id,
        label=row.label,
        state=row.state,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        questionnaire_id=row.questionnaire_id,
        association=Forbund(row.association_id, row.slug, row.name),
    )
    q = definition_for(session, row.questionnaire_id, row.source_sha256)
    return Link(row.id, row.kind, rnd, q, draft)


def _joined_draft(row: Row) -> DraftRow | None:
    if row.d_id is None:
        return None
    return DraftRow(row.d_id, row.d_sealed, row.d_language, row.d_role, row.d_agency, row.d_years)


def _draft(session: Session, draft_id: int | None) -> DraftRow | None:
    if draft_id is None:
        return None
    found = session.execute(_DRAFT_BY_ID, {"draft_id": draft_id}).first()
    return None if found is None else DraftRow(*found)
