"""Submitting: the response becomes final and its tie to the link is cut."""

from __future__ import annotations

import datetime as dt

from survey.answering.drafts import missing_background
from survey.answering.validation import AnswersRejected, Problem
from survey.db import models
from survey.db.models import ResponseState
from survey.instruments.questionnaire import Questionnaire


def submit(
    q: Questionnaire,
    invitation: models.Invitation,
    response: models.Response,
    today: dt.date,
    language: str,
) -> None:
    """Make the response final and cut its tie to the invitation (anonymity by design)."""
    missing = missing_background(q, response)
    if missing:
        raise AnswersRejected([Problem(code, "required") for code in missing])
    response.state = ResponseState.SUBMITTED
    response.language = language
    response.submitted_on = today
    response.saved_at = None
    invitation.response = None
    invitation.used_on = today
