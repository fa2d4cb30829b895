"""Publication: a round's figures exist only once it is closed and published.

While a round is open only counts are shown (the response rate): two loads of a page
around one submit would otherwise give that person's answers away by subtraction. The
rule itself is `survey.results.gate`, inside every statement that reads answers for a
figure; `ensure_published` turns a page about an unpublished round into the page that
says so (with its counts) instead of an empty report.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey.errors import SurveyError
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
