"""What SAML log-in keeps: the ids of the assertions already used, so that a copy of one
(from a browser's history, a proxy's log) cannot log in again (survey/federation/saml/replay.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.db.models.base import Base


class SeenAssertion(Base):
    """An assertion that logged in (or was refused after its checks): its issuer and ID,
    kept until its NotOnOrAfter (plus the clock skew) has passed, when it is stale anyway."""

    __tablename__ = "saml_seen_assertion"

    #: SHA-256 of the IdP's entity id and the assertion's ID (IDs are only unique per IdP).
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
