"""Use cases of running a round and its förbund, each one unit of work: the command line,
the web and the tests call these unchanged, and none of them commits on its own. Each
change is written to the audit log in the same unit of work, under `actor` (who asked: an
e-mail, or "cli"). The rules live below, in survey.rounds (lifecycle, invitations), mail
(recipients) and answering (drafts); here they are put together, one function per action."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.answering.submission import delete_drafts
from survey.db import audit, mixing, models
from survey.db.engine import forget_deleted, transaction
from survey.disclosure import DEFAULT_K
from survey.instruments.catalog import find_questionnaire
from survey.mail import recipients
from survey.maturity import level_figures
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


def update_association(
    session: Session,
    slug: str,
    *,
    name: str,
    members: str,
    named_to_others: bool,
    privacy_contact: str,
    actor: str | None = None,
) -> models.Association:
    """A förbund's name, member agencies, whether others see its name, privacy contact."""
    with transaction(session):
        assoc = associations.find_association(session, slug)
        associations.update_association(
            assoc,
            name=name,
            members=members,
            named_to_others=named_to_others,
            privacy_contact=privacy_contact,
        )
        audit.record(
            session, actor, "forbund_changed", slug, name=assoc.name, named=named_to_others
        )
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
    """Stop accepting answers and delete the round's e-mail addresses (and their outbox) in
    the same unit of work: the page, `survey round close` and `survey restore
    --close-open-rounds` all close through this."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.close_round(rnd, today)
        mixing.mix_round(session, rnd.id)  # the whole round in one random order
        audit.record(session, actor, "round_closed", _name(rnd))
        _delete_addresses(session, rnd, actor)
    forget_deleted(session)
    mixing.forget_old_rows(session.get_bind())
    return rnd


def publish_round(
    session: Session,
    association_slug: str,
    label: str,
    today: dt.date,
    *,
    actor: str | None = None,
    k: int = DEFAULT_K,
) -> models.Round:
    """Release a closed round's figures. Its unfinished drafts can never be submitted now
    (a published round does not reopen) and are deleted with it (data minimisation), as
    are any e-mail addresses still kept (a round past its last day is published without
    an explicit close). Its figures are computed once, at k, into the publication
    snapshot in the same unit of work (survey.results.snapshot): pages read them there."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.publish_round(rnd, today)
        mixing.mix_round(session, rnd.id)  # also a round closed by its date alone
        drafts = select(models.Draft.id).where(models.Draft.round_id == rnd.id)
        delete_drafts(session, list(session.scalars(drafts)))
        _delete_addresses(session, rnd, actor)
        audit.record(session, actor, "round_published", _name(rnd))
        level_figures.build(session, rnd.id, k)  # scores and levels
    forget_deleted(session)
    mixing.forget_old_rows(session.get_bind())
    return rnd


def _delete_addresses(session: Session, rnd: models.Round, actor: str | None) -> None:
    """Inside the caller's unit of work (closing, publishing): the round's addresses go."""
    count = recipients.delete_for_rounds(session, [rnd.id])
    if count:
        audit.record(session, actor, "mail_addresses_deleted", _name(rnd), count=count)


def invite(
    session: Session, association_slug: str, label: str, count: int, *, actor: str | None = None
) -> tuple[models.Round, list[str]]:
    """`count` personal one-time links; the tokens are returned once and never stored."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.ensure_links_changeable(rnd)
        tokens = invitations.create_invitations(session, rnd, count)
        audit.record(session, actor, "links_created", _name(rnd), kind="personal", count=count)
        return rnd, tokens


def share(
    session: Session, association_slug: str, label: str, *, actor: str | None = None
) -> tuple[models.Round, str]:
    """One shared link; each visitor is handed a personal link of their own."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.ensure_links_changeable(rnd)
        token = invitations.create_shared_link(session, rnd)
        audit.record(session, actor, "links_created", _name(rnd), kind="shared", count=1)
        return rnd, token


def delete_round(
    session: Session, association_slug: str, label: str, *, actor: str | None = None
) -> None:
    """Delete a draft round (one that never opened) with its links and any addresses
    already added to it (SQLite does not enforce the tables' ON DELETE CASCADE, so they go
    explicitly); others are refused."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        name = _name(rnd)
        recipients.delete_for_rounds(session, [rnd.id])
        lifecycle.delete_round(session, rnd)
        audit.record(session, actor, "round_deleted", name)
    forget_deleted(session)


def revoke_links(
    session: Session, association_slug: str, label: str, kind: str, *, actor: str | None = None
) -> int:
    """Revoke the round's unused personal links, or its shared link; returns how many.
    A link someone has started answering with, or has submitted with, stays."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.ensure_links_changeable(rnd)
        count = invitations.revoke_unused(session, rnd, kind)
        audit.record(session, actor, "links_revoked", _name(rnd), kind=kind, count=count)
        return count
