"""Publication: a round's figures exist only once it is closed and published.

While a round is open only counts are shown (the response rate): two loads of a page
around one submit would otherwise give that person's answers away by subtraction. So
every page, JSON, workbook and export of figures asks `published_rounds` /
`ensure_published` first, and the national reference counts only published rounds.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.answering.submission import delete_drafts
from survey.db import audit, mixing, models
from survey.db.engine import forget_deleted, transaction
from survey.errors import SurveyError
from survey.mail.services import delete_addresses
from survey.rounds import lifecycle, status
from survey.rounds.lifecycle import RoundHistory


class NotPublished(SurveyError):
    """A round whose figures do not exist yet: the page shows how many have answered."""

    def __init__(self, history: RoundHistory, counts: status.RoundStatus):
        self.history = history
        self.counts = counts
        super().__init__(f"round {history.round.label} is not published")


def ensure_published(session: Session, history: RoundHistory) -> None:
    if not lifecycle.is_published(history.round):
        raise NotPublished(history, status.round_status(session, history.round.id))


def publish_round(
    session: Session, association_slug: str, label: str, today: dt.date, *, actor: str | None = None
) -> models.Round:
    """Release a closed round's figures. Its unfinished drafts can never be submitted now
    (a published round does not reopen) and are deleted with it (data minimisation), as
    are any e-mail addresses still kept (a round past its last day is published without
    an explicit close)."""
    with transaction(session):
        rnd = lifecycle.round_by_name(session, association_slug, label)
        lifecycle.publish_round(rnd, today)
        mixing.mix_round(session, rnd.id)  # also a round closed by its date alone
        drafts = select(models.Draft.id).where(models.Draft.round_id == rnd.id)
        delete_drafts(session, list(session.scalars(drafts)))
        delete_addresses(session, rnd, actor=actor)
        audit.record(session, actor, "round_published", f"{association_slug}/{label}")
    forget_deleted(session)
    mixing.forget_old_rows(session.get_bind())
    return rnd
