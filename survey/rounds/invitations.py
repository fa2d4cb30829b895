"""Invitation links: tokens are random, shown once and stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload

from survey.db import models
from survey.db.models import InvitationKind
from survey.errors import InvalidToken

#: 24 random bytes = 192 bits, above the 128 the design asks for; URL-safe base64.
TOKEN_BYTES = 24


#: Longer than any token we make; anything longer is refused before hashing.
TOKEN_MAX_CHARS = 100


#: A link's token inside a logged path or request line.
_TOKEN_IN_PATH = re.compile(r"/r/[A-Za-z0-9_-]+")
MASKED = "/r/<link>"


def mask_tokens(text: str) -> str:
    """The text with every link's token replaced: logs never hold a key to someone's answers."""
    return _TOKEN_IN_PATH.sub(MASKED, text)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def submit_receipt(secret: str, token: str) -> str:
    """A value only pages served for this link can carry, so a repeated submit (double
    click, replay) is recognised as the respondent's own without any cookie."""
    message = f"submit-receipt:{hash_token(token)}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def create_invitations(session: Session, rnd: models.Round, count: int) -> list[str]:
    """Make `count` one-time personal links; the tokens are returned once and never stored."""
    tokens = [new_token() for _ in range(count)]
    session.add_all(
        models.Invitation(round_id=rnd.id, token_hash=hash_token(t), kind=InvitationKind.PERSONAL)
        for t in tokens
    )
    session.flush()
    return tokens


def create_shared_link(session: Session, rnd: models.Round) -> str:
    """One link for a whole group; each visitor is handed a personal link of their own."""
    token = new_token()
    session.add(
        models.Invitation(round_id=rnd.id, token_hash=hash_token(token), kind=InvitationKind.SHARED)
    )
    session.flush()
    return token


def revoke_unused(session: Session, rnd: models.Round, kind: str) -> int:
    """Delete the round's links of `kind` that nobody has used: a deleted link answers like
    a mistyped one. Personal links with answers in progress or submitted are kept; the
    personal links a shared link handed out live on without it."""
    if kind not in set(InvitationKind):
        raise ValueError(f"unknown kind of link {kind!r}")
    result = session.execute(
        delete(models.Invitation).where(
            models.Invitation.round_id == rnd.id,
            models.Invitation.kind == kind,
            models.Invitation.used.is_(False),
            models.Invitation.draft_id.is_(None),
        )
    )
    return int(result.rowcount or 0)


def plausible(token: str) -> bool:
    """A token worth hashing and looking up (not empty, not longer than any we make)."""
    return 0 < len(token) <= TOKEN_MAX_CHARS


#: Every respondent request needs the link's round, questionnaire and draft: loaded with
#: the link rather than one by one, and without the questionnaire's stored definition,
#: which is parsed once per process (`catalog.definition_of`) and would otherwise be read
#: and decoded as JSON on every request.
_ROUND = (
    joinedload(models.Invitation.round, innerjoin=True)
    .joinedload(models.Round.questionnaire, innerjoin=True)
    .defer(models.Questionnaire.definition)
)
#: …and its förbund: every respondent page links the förbund's privacy notice.
_FORBUND = joinedload(models.Invitation.round, innerjoin=True).joinedload(
    models.Round.association, innerjoin=True
)


def find_invitation(session: Session, token: str, *, lock: bool = False) -> models.Invitation:
    """The invitation behind a token, or InvalidToken for a wrong or used one alike.

    `lock` takes a row lock (PostgreSQL; on SQLite the unit of work already holds the
    write lock) so two simultaneous posts with one link, as from a double click, are
    handled one after the other instead of both creating a response. The locked row and
    its draft are read afresh, overwriting what the session read before the lock: a
    request that looked at the link before another one submitted it must see it used
    now, not its earlier copy (which let a second submit or a late save start a draft
    nobody could reach). Only the invitation's row is locked (`of=`), never the round's,
    which everyone answering the round reads.
    """
    if not plausible(token):
        raise InvalidToken()
    stmt = select(models.Invitation).filter_by(token_hash=hash_token(token))
    if lock:
        # The draft in a second query, after the lock is held: joined into the locking
        # query, PostgreSQL would pair the re-read invitation with the draft as it was
        # when that query began (none, if the other request has just made it).
        stmt = (
            stmt.options(_ROUND, _FORBUND, selectinload(models.Invitation.draft))
            .with_for_update(of=models.Invitation)
            .execution_options(populate_existing=True)
        )
    else:
        stmt = stmt.options(_ROUND, _FORBUND, joinedload(models.Invitation.draft))
    inv = session.scalar(stmt)
    if inv is None or inv.used:
        raise InvalidToken()
    return inv


def find_used_invitation(session: Session, token: str) -> models.Invitation | None:
    """The invitation of a link that has been submitted with, if it is one."""
    if not plausible(token):
        return None
    # With its round and förbund: the thank-you page names them.
    stmt = select(models.Invitation).filter_by(token_hash=hash_token(token)).options(_FORBUND)
    inv = session.scalar(stmt)
    return inv if inv is not None and inv.used else None


def personal_link_from_shared(session: Session, shared: models.Invitation) -> str:
    """A fresh personal invitation for one visitor of a shared link, so they can resume."""
    token = new_token()
    session.add(
        models.Invitation(
            round_id=shared.round_id, token_hash=hash_token(token), kind=InvitationKind.PERSONAL
        )
    )
    session.flush()
    return token
