"""A round's addresses: each new one gets its own personal invitation, whose token comes
from the recipient's seed and SECRET_KEY (survey/mail/links.py), so nothing stored joins
the address to the invitation. They are deleted when the round closes."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.db.models import InvitationKind
from survey.mail import links
from survey.mail.addresses import Entry


def existing(session: Session, round_id: int) -> set[str]:
    stmt = select(models.MailRecipient.address).filter_by(round_id=round_id)
    return set(session.scalars(stmt))


def count(session: Session, round_id: int) -> int:
    """How many addresses the round has."""
    stmt = select(func.count()).select_from(models.MailRecipient).filter_by(round_id=round_id)
    return int(session.scalar(stmt) or 0)


def add(
    session: Session, rnd: models.Round, entries: Sequence[Entry], secret_key: str
) -> list[Entry]:
    """The entries not yet in the round, each stored with a new invitation; returns them.
    Invitations are written in another random order than the addresses, so the order of
    the rows does not pair them up either (README, threat model)."""
    known = existing(session, rnd.id)
    new = [entry for entry in entries if entry.address not in known]
    seeds = [links.new_seed() for _ in new]
    session.add_all(
        models.MailRecipient(
            round_id=rnd.id, address=entry.address, language=entry.language, link_seed=seed
        )
        for entry, seed in zip(new, seeds, strict=True)
    )
    shuffled = list(seeds)
    random.SystemRandom().shuffle(shuffled)
    session.add_all(
        models.Invitation(
            round_id=rnd.id,
            token_hash=links.token_hash_for(secret_key, seed),
            kind=InvitationKind.PERSONAL,
        )
        for seed in shuffled
    )
    session.flush()
    return new


def invitation_states(
    session: Session, secret_key: str, recipients: Iterable[models.MailRecipient]
) -> dict[int, bool | None]:
    """Recipient id → whether their link has been used to submit (None: their invitation
    is gone, or SECRET_KEY changed since it was made). Only the app can ask this: it needs
    SECRET_KEY to find a person's invitation."""
    by_hash = {links.token_hash_for(secret_key, r.link_seed): r.id for r in recipients}
    found = dict(
        session.execute(
            select(models.Invitation.token_hash, models.Invitation.used).where(
                models.Invitation.token_hash.in_(list(by_hash))
            )
        ).all()
    )
    return {rid: found.get(h) for h, rid in by_hash.items()}


def delete_for_rounds(session: Session, round_ids: Iterable[int]) -> int:
    """Delete the addresses (and their outbox rows) of these rounds; how many addresses."""
    ids = list(round_ids)
    if not ids:
        return 0
    where = models.MailRecipient.round_id.in_(ids)
    count = session.scalar(select(func.count()).select_from(models.MailRecipient).where(where))
    session.execute(delete(models.MailMessage).where(models.MailMessage.round_id.in_(ids)))
    session.execute(delete(models.MailRecipient).where(where))
    return int(count or 0)
