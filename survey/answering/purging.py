"""Data minimisation: unfinished answers nobody came back to are deleted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.answering.submission import delete_drafts
from survey.db import models


def purge_abandoned(session: Session, saved_before: dt.datetime) -> int:
    """Delete drafts last saved before `saved_before`; returns how many.

    A draft nobody came back to is answers nobody chose to submit. Its answers and comments
    go with it and the invitation is freed, so the same link starts afresh if used again.
    """
    ids = list(session.scalars(select(models.Draft.id).where(models.Draft.saved_at < saved_before)))
    if ids:
        delete_drafts(session, ids)
    return len(ids)
