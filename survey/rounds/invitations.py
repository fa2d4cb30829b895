"""Förbund, rounds and their life cycle; invitation tokens (random, stored only as a hash)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.errors import InvalidToken, RoundNotOpen, RoundSetupError

#: 24 random bytes = 192 bits, above the 128 the design asks for; URL-safe base64.
TOKEN_BYTES = 24
#: Longer than any token we make; anything longer is refused before hashing.
TOKEN_MAX_CHARS = 100
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
LABEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def submit_receipt(secret: str, token: str) -> str:
    """A value only pages served for this link can carry, so a repeated submit (double
    click, replay) is recognised as the respondent's own without any cookie."""
    message = f"submit-receipt:{hash_token(token)}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


# --- förbund and rounds -------------------------------------------------------------------


def create_association(session: Session, slug: str, name: str) -> models.Association:
    if not SLUG_RE.match(slug):
        raise RoundSetupError(
            f"'{slug}' is not a usable short name: use lower-case letters a–z, digits and "
            "dashes, e.g. norrsund"
        )
    if not name.strip():
        raise RoundSetupError("the förbund needs a name")
    if session.scalar(select(models.Association.id).filter_by(slug=slug)) is not None:
        raise RoundSetupError(f"a förbund with the short name '{slug}' already exists")
    assoc = models.Association(slug=slug, name=name.strip())
    session.add(assoc)
    session.flush()
    return assoc


def create_round(
    session: Session,
    association: models.Association,
    questionnaire: models.Questionnaire,
    label: str,
    *,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    state: str = "draft",
) -> models.Round:
    if state not in models.ROUND_STATES:
        raise ValueError(f"unknown round state {state!r}")
    if not LABEL_RE.match(label):
        raise RoundSetupError(
            f"'{label}' is not a usable round label: use letters, digits, '.', '_' or '-', "
            "e.g. 2026"
        )
    if opens_on and closes_on and closes_on < opens_on:
        raise RoundSetupError(f"the round closes ({closes_on}) before it opens ({opens_on})")
    taken = select(models.Round.id).filter_by(association_id=association.id, label=label)
    if association.id is not None and session.scalar(taken) is not None:
        raise RoundSetupError(f"{association.name} already has a round '{label}'")
    rnd = models.Round(
        association=association,
        questionnaire=questionnaire,
        label=label,
        opens_on=opens_on,
        closes_on=closes_on,
        state=state,
    )
    session.add(rnd)
    session.flush()
    return rnd


def find_questionnaire(session: Session, spec: str) -> models.Questionnaire:
    """KEY:VERSION, or KEY alone for its latest version."""
    key, _, version = spec.partition(":")
    stmt = select(models.Questionnaire).filter_by(key=key)
    if version:
        if not version.isdecimal():
            raise RoundSetupError(f"'{spec}': the version after ':' must be a number")
        stmt = stmt.filter_by(version=int(version))
    row = session.scalar(stmt.order_by(models.Questionnaire.version.desc()))
    if row is None:
        known = session.execute(
            select(models.Questionnaire.key, models.Questionnaire.version).order_by(
                models.Questionnaire.key, models.Questionnaire.version
            )
        ).all()
        names = ", ".join(f"{k}:{v}" for k, v in known) or "none (run `survey init`)"
        raise RoundSetupError(f"no questionnaire '{spec}'; loaded: {names}")
    return row


def open_round(rnd: models.Round, today: dt.date, closes_on: dt.date | None = None) -> None:
    """Open a draft round, or reopen a closed one (with a new closing date if it passed)."""
    if rnd.state == "open":
        raise RoundSetupError(f"round {rnd.label} is already open")
    new_close = closes_on or rnd.closes_on
    if new_close and new_close < today:
        raise RoundSetupError(
            f"round {rnd.label} would close on {new_close}, which has passed: "
            "give a new closing date"
        )
    if new_close and rnd.opens_on and new_close < rnd.opens_on:
        raise RoundSetupError(f"the round closes ({new_close}) before it opens ({rnd.opens_on})")
    rnd.closes_on = new_close
    rnd.state = "open"


def close_round(rnd: models.Round, today: dt.date) -> None:
    """Stop accepting answers now. Unfinished answers are kept (they count only if the
    round is reopened and they are submitted); the closing date becomes today so the page a
    late respondent sees tells the truth."""
    if rnd.state != "open":
        raise RoundSetupError(f"round {rnd.label} is {rnd.state}, not open")
    rnd.state = "closed"
    if rnd.closes_on is None or rnd.closes_on > today:
        rnd.closes_on = today


class Schedule(Protocol):
    state: str
    opens_on: dt.date | None
    closes_on: dt.date | None


def effective_state(rnd: Schedule, today: dt.date) -> str:
    """What a respondent meets today: an open round outside its dates is draft or closed."""
    if rnd.state != "open":
        return rnd.state
    if rnd.opens_on and today < rnd.opens_on:
        return "draft"
    if rnd.closes_on and today > rnd.closes_on:
        return "closed"
    return "open"


def ensure_accepting(rnd: models.Round, today: dt.date) -> None:
    state = effective_state(rnd, today)
    if state != "open":
        raise RoundNotOpen(state, rnd.opens_on, rnd.closes_on)


@dataclass(frozen=True)
class RoundStatus:
    """What an administrator may see of a round: counts, never who answered what."""

    association: str
    label: str
    questionnaire: str
    state: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    personal_links: int
    used_links: int
    shared_links: int
    submitted: int
    in_progress: int


def round_statuses(session: Session, association_id: int | None = None) -> list[RoundStatus]:
    """One row per round with its link and response counts, counted in SQL."""
    links = (
        select(
            models.Invitation.round_id,
            func.count().filter(models.Invitation.kind == "personal").label("personal"),
            func.count(models.Invitation.used_on).label("used"),
            func.count().filter(models.Invitation.kind == "shared").label("shared"),
        )
        .group_by(models.Invitation.round_id)
        .subquery()
    )
    answers = (
        select(
            models.Response.round_id,
            func.sum(case((models.Response.state == "submitted", 1), else_=0)).label("submitted"),
            func.sum(case((models.Response.state == "in_progress", 1), else_=0)).label("busy"),
        )
        .group_by(models.Response.round_id)
        .subquery()
    )
    stmt = (
        select(
            models.Association.slug,
            models.Round.label,
            models.Questionnaire.key,
            models.Questionnaire.version,
            models.Round.state,
            models.Round.opens_on,
            models.Round.closes_on,
            func.coalesce(links.c.personal, 0),
            func.coalesce(links.c.used, 0),
            func.coalesce(links.c.shared, 0),
            func.coalesce(answers.c.submitted, 0),
            func.coalesce(answers.c.busy, 0),
        )
        .join(models.Round.association)
        .join(models.Round.questionnaire)
        .outerjoin(links, links.c.round_id == models.Round.id)
        .outerjoin(answers, answers.c.round_id == models.Round.id)
        .order_by(models.Association.slug, models.Round.label)
    )
    if association_id is not None:
        stmt = stmt.where(models.Round.association_id == association_id)
    return [
        RoundStatus(slug, label, f"{key}:{version}", *rest)
        for slug, label, key, version, *rest in session.execute(stmt).all()
    ]


# --- invitations --------------------------------------------------------------------------


def create_invitations(session: Session, rnd: models.Round, count: int) -> list[str]:
    """Make `count` one-time personal links; the tokens are returned once and never stored."""
    tokens = [new_token() for _ in range(count)]
    session.add_all(
        models.Invitation(round_id=rnd.id, token_hash=hash_token(t), kind="personal")
        for t in tokens
    )
    session.flush()
    return tokens


def create_shared_link(session: Session, rnd: models.Round) -> str:
    """One link for a whole group; each visitor is handed a personal link of their own."""
    token = new_token()
    session.add(models.Invitation(round_id=rnd.id, token_hash=hash_token(token), kind="shared"))
    session.flush()
    return token


def _plausible(token: str) -> bool:
    return 0 < len(token) <= TOKEN_MAX_CHARS


def find_invitation(session: Session, token: str, *, lock: bool = False) -> models.Invitation:
    """The invitation behind a token, or InvalidToken for a wrong or used one alike.

    `lock` takes a row lock (PostgreSQL) so two simultaneous posts with one link, as from a
    double click, are handled one after the other instead of both creating a response.
    """
    if not _plausible(token):
        raise InvalidToken()
    stmt = select(models.Invitation).filter_by(token_hash=hash_token(token))
    if lock:
        stmt = stmt.with_for_update()
    inv = session.scalar(stmt)
    if inv is None or inv.used_on is not None:
        raise InvalidToken()
    return inv


def find_used_invitation(session: Session, token: str) -> models.Invitation | None:
    """The invitation of a link that has been submitted with, if it is one."""
    if not _plausible(token):
        return None
    inv = session.scalar(select(models.Invitation).filter_by(token_hash=hash_token(token)))
    return inv if inv is not None and inv.used_on is not None else None


def personal_link_from_shared(session: Session, shared: models.Invitation) -> str:
    """A fresh personal invitation for one visitor of a shared link, so they can resume."""
    token = new_token()
    session.add(
        models.Invitation(round_id=shared.round_id, token_hash=hash_token(token), kind="personal")
    )
    session.flush()
    return token
