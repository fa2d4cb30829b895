"""Rounds and their life cycle; invitation tokens (random, stored only as a hash)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import models
from .errors import InvalidToken, RoundNotOpen

#: 24 random bytes = 192 bits, above the 128 the design asks for; URL-safe base64.
TOKEN_BYTES = 24


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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


def set_round_state(rnd: models.Round, state: str) -> None:
    allowed = {"draft": {"open"}, "open": {"closed"}, "closed": {"open"}}
    if state not in allowed[rnd.state]:
        raise ValueError(f"a {rnd.state} round cannot become {state}")
    rnd.state = state


def is_accepting(rnd: models.Round, today: dt.date) -> bool:
    if rnd.state != "open":
        return False
    if rnd.opens_on and today < rnd.opens_on:
        return False
    return not (rnd.closes_on and today > rnd.closes_on)


def ensure_accepting(rnd: models.Round, today: dt.date) -> None:
    if not is_accepting(rnd, today):
        state = rnd.state
        if state == "open":
            state = "draft" if rnd.opens_on and today < rnd.opens_on else "closed"
        raise RoundNotOpen(state, rnd.opens_on, rnd.closes_on)


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


def find_invitation(session: Session, token: str) -> models.Invitation:
    """The invitation behind a token, or InvalidToken for a wrong or used one alike."""
    if not token or len(token) > 100:
        raise InvalidToken()
    inv = session.scalar(select(models.Invitation).filter_by(token_hash=hash_token(token)))
    if inv is None or inv.used_on is not None:
        raise InvalidToken()
    return inv


def personal_link_from_shared(session: Session, shared: models.Invitation) -> str:
    """A fresh personal invitation for one visitor of a shared link, so they can resume."""
    token = new_token()
    session.add(
        models.Invitation(round_id=shared.round_id, token_hash=hash_token(token), kind="personal")
    )
    session.flush()
    return token
