"""Use cases of e-mail invitations and reminders, each one unit of work with its audit
event (never an address): the pages, the command line and the tests call these."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.db import audit, models
from survey.db.engine import transaction
from survey.db.models import MessageKind, RoundState
from survey.errors import AddressesRejected, MailRefused
from survey.mail import addresses, outbox, recipients, texts
from survey.rounds import associations, lifecycle


def _name(rnd: models.Round) -> str:
    return f"{rnd.association.slug}/{rnd.label}"


def _taking_addresses(rnd: models.Round, today: dt.date) -> None:
    state = lifecycle.effective_state(rnd, today)
    if rnd.state not in (RoundState.DRAFT, RoundState.OPEN) or state == RoundState.CLOSED:
        raise MailRefused("round_state", state=state)


def _sending(rnd: models.Round, today: dt.date) -> None:
    state = lifecycle.effective_state(rnd, today)
    if state != RoundState.OPEN:
        raise MailRefused("round_state", state=state)


def check_list(listed: addresses.AddressList) -> None:
    """Refuse a list with a faulty line, no address or too many (before any preview)."""
    if listed.problems:
        raise AddressesRejected(listed.problems)
    if not listed.entries:
        raise MailRefused("no_addresses")
    if len(listed.entries) > addresses.MAX_ADDRESSES:
        raise MailRefused("too_many", count=len(listed.entries), limit=addresses.MAX_ADDRESSES)


def add_addresses(
    session: Session,
    slug: str,
    label: str,
    listed: addresses.AddressList,
    secret_key: str,
    today: dt.date,
    *,
    actor: str | None = None,
) -> tuple[list[addresses.Entry], list[addresses.Entry]]:
    """Store the list's new addresses, each with its own invitation: all or nothing, so a
    list with a faulty line stores none. Returns (added, already in the round)."""
    check_list(listed)
    with transaction(session):
        rnd = lifecycle.round_by_name(session, slug, label)
        _taking_addresses(rnd, today)
        added = recipients.add(session, rnd, listed.entries, secret_key)
        audit.record(session, actor, "mail_addresses_added", _name(rnd), count=len(added))
    known = [e for e in listed.entries if e not in added]
    return added, known


def queue_messages(
    session: Session,
    slug: str,
    label: str,
    kind: str,
    secret_key: str,
    now: dt.datetime,
    *,
    actor: str | None = None,
) -> int:
    """Queue invitations (to everyone without one that went) or reminders (to everyone
    whose invitation went and who has not submitted); refused when nobody is left."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, slug, label)
        _sending(rnd, now.date())
        if kind == MessageKind.INVITATION:
            count = outbox.queue_invitations(session, rnd, now)
        else:
            count = outbox.queue_reminders(session, rnd, secret_key, now)
        if not count and not recipients.count(session, rnd.id):
            raise MailRefused("no_recipients", kind=kind)  # not "everyone has one"
        if not count:
            raise MailRefused("nobody", kind=kind)
        audit.record(session, actor, f"mail_{kind}s_queued", _name(rnd), count=count)
        return count


def save_text(
    session: Session,
    slug: str,
    kind: str,
    language: str,
    subject: str,
    body: str,
    *,
    actor: str | None = None,
) -> None:
    """The förbund's own text for one kind and language (checked first: nothing is saved
    from a text with a fault)."""
    subject, body = subject.strip(), body.strip().replace("\r\n", "\n")
    texts.check(subject, body)
    with transaction(session):
        assoc = associations.find_association(session, slug)
        own = session.scalar(
            select(models.MailText).filter_by(association_id=assoc.id, kind=kind, language=language)
        )
        if own is None:
            own = models.MailText(association_id=assoc.id, kind=kind, language=language)
            session.add(own)
        own.subject, own.body = subject, body
        audit.record(session, actor, "mail_text_saved", slug, kind=kind, language=language)


def reset_text(
    session: Session, slug: str, kind: str, language: str, *, actor: str | None = None
) -> None:
    """Back to the catalogue's default text."""
    with transaction(session):
        assoc = associations.find_association(session, slug)
        session.execute(
            delete(models.MailText).filter_by(association_id=assoc.id, kind=kind, language=language)
        )
        audit.record(session, actor, "mail_text_reset", slug, kind=kind, language=language)
