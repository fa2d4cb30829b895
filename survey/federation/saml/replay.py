"""An assertion logs in once: its ID is kept (with its IdP) until its NotOnOrAfter, plus the
clock skew, has passed; a second use before then is refused. After that time the assertion
fails the time check anyway, so the row is no longer needed and goes at the next log-in."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.db.engine import transaction
from survey.db.models import SeenAssertion


def key(issuer: str, assertion_id: str) -> str:
    return hashlib.sha256(f"{issuer}\n{assertion_id}".encode()).hexdigest()


def first_use(
    session: Session, issuer: str, assertion_id: str, expires_at: dt.datetime, now: dt.datetime
) -> bool:
    """Note the assertion as used (one unit of work); False if it was used before."""
    wanted = key(issuer, assertion_id)
    try:
        with transaction(session):
            session.execute(delete(SeenAssertion).where(SeenAssertion.expires_at < now))
            if session.scalar(select(SeenAssertion.key).where(SeenAssertion.key == wanted)):
                return False
            session.add(SeenAssertion(key=wanted, expires_at=expires_at))
    except IntegrityError:  # the same assertion posted twice at once: one of them wins
        return False
    return True
