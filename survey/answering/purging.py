"""Data minimisation: unfinished responses nobody came back to are deleted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.db.models import ResponseState


def purge_abandoned(session: Session, saved_before: dt.datetime) -> int:
    """Delete unfinished responses last saved before `saved_before`; returns how many.

    Data minimisation: a draft nobody came back to is answers nobody chose to submit. The
    answers and comments go with it and the invitation is freed, so the same link starts
    afresh if it is used again.
    """
    abandoned = select(models.Response.id).where(
        models.Response.state == ResponseState.IN_PROGRESS, models.Response.saved_at < saved_before
    )
    ids = list(session.scalars(abandoned))
    if ids:
        # Explicit deletes rather than relying on ON DELETE, which SQLite only honours
        # when the connection turned foreign keys on.
        session.execute(delete(models.Answer).where(models.Answer.response_id.in_(ids)))
        session.execute(delete(models.Comment).where(models.Comment.response_id.in_(ids)))
        session.execute(
            models.Invitation.__table__.update()
            .where(models.Invitation.response_id.in_(ids))
            .values(response_id=None)
        )
        session.execute(delete(models.Response).where(models.Response.id.in_(ids)))
    return len(ids)
