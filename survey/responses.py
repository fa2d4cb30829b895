"""Answering a questionnaire: start or resume, save a page, submit.

Every page change is saved to the database, so a respondent can stop and come back through
the same link on any device; nothing lives in the browser session. Each save validates the
whole page before writing anything, so a bad value never leaves half a page stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import models
from .errors import InvalidAnswer
from .questionnaire import Dimension, Questionnaire

DONT_KNOW = "dk"
COMMENT_MAX_CHARS = 2000


def start_or_resume(
    session: Session, invitation: models.Invitation, language: str, now: dt.datetime
) -> models.Response:
    if invitation.response is not None:
        return invitation.response
    response = models.Response(round_id=invitation.round_id, language=language, saved_at=now)
    session.add(response)
    session.flush()
    invitation.response = response
    return response


def item_ids(session: Session, questionnaire_id: int) -> dict[str, int]:
    rows = session.execute(
        select(models.Item.code, models.Item.id).filter_by(questionnaire_id=questionnaire_id)
    )
    return dict(rows.all())


def dimension_ids(session: Session, questionnaire_id: int) -> dict[str, int]:
    rows = session.execute(
        select(models.Dimension.code, models.Dimension.id).filter_by(
            questionnaire_id=questionnaire_id
        )
    )
    return dict(rows.all())


def save_background(
    response: models.Response, q: Questionnaire, form: Mapping[str, str], now: dt.datetime
) -> None:
    values: dict[str, str | None] = {}
    for question in q.background:
        raw = (form.get(question.code) or "").strip()
        if raw and raw not in question.choice_codes():
            raise InvalidAnswer(f"'{raw}' is not a choice of the question '{question.code}'")
        values[question.code] = raw or None
    unknown = set(form) - {b.code for b in q.background}
    if unknown:
        raise InvalidAnswer(f"unknown background question {sorted(unknown)[0]!r}")
    for code, value in values.items():
        setattr(response, code, value)
    response.saved_at = now


def parse_rating(raw: str, q: Questionnaire, item_code: str) -> int | None | str:
    """'1'…'5' → int, 'dk' → None (vet ej), '' → '' (not answered); anything else is refused."""
    raw = raw.strip()
    if raw in ("", DONT_KNOW):
        return None if raw == DONT_KNOW else ""
    if raw.isdigit() and int(raw) in q.scale.points:
        return int(raw)
    raise InvalidAnswer(f"'{raw}' is not a value of the scale for statement {item_code}")


def save_dimension(
    session: Session,
    response: models.Response,
    q: Questionnaire,
    dimension: Dimension,
    ratings: Mapping[str, str],
    comment: str | None,
    now: dt.datetime,
) -> None:
    """Replace this response's answers for one dimension with `ratings` (item code → raw)."""
    codes = {item.code for item in dimension.items}
    unknown = set(ratings) - codes
    if unknown:
        raise InvalidAnswer(f"unknown statement {sorted(unknown)[0]!r} on this page")
    parsed = {code: parse_rating(raw, q, code) for code, raw in ratings.items()}
    if comment is not None and len(comment) > COMMENT_MAX_CHARS:
        raise InvalidAnswer(f"the comment is longer than {COMMENT_MAX_CHARS} characters")

    ids = item_ids(session, response.round.questionnaire_id)
    session.execute(
        delete(models.Answer).where(
            models.Answer.response_id == response.id,
            models.Answer.item_id.in_([ids[c] for c in codes]),
        )
    )
    session.add_all(
        models.Answer(response_id=response.id, item_id=ids[code], value=value)
        for code, value in parsed.items()
        if value != ""
    )
    if comment is not None:
        dim_id = dimension_ids(session, response.round.questionnaire_id)[dimension.code]
        session.execute(
            delete(models.Comment).filter_by(response_id=response.id, dimension_id=dim_id)
        )
        if comment.strip():
            session.add(
                models.Comment(response_id=response.id, dimension_id=dim_id, text=comment.strip())
            )
    response.saved_at = now
    session.flush()


def answers_of(session: Session, response: models.Response) -> dict[str, str]:
    """Item code → the form value to pre-fill ('1'…'5' or 'dk'); unanswered items absent."""
    rows = session.execute(
        select(models.Item.code, models.Answer.value)
        .join(models.Answer, models.Answer.item_id == models.Item.id)
        .where(models.Answer.response_id == response.id)
    )
    return {code: DONT_KNOW if value is None else str(value) for code, value in rows.all()}


def comments_of(session: Session, response: models.Response) -> dict[str, str]:
    rows = session.execute(
        select(models.Dimension.code, models.Comment.text)
        .join(models.Comment, models.Comment.dimension_id == models.Dimension.id)
        .where(models.Comment.response_id == response.id)
    )
    return dict(rows.all())


def unanswered(q: Questionnaire, answers: Mapping[str, str]) -> dict[str, list[str]]:
    """Dimension code → item codes not yet answered (neither a rating nor 'vet ej')."""
    result = {}
    for dim in q.dimensions:
        missing = [item.code for item in dim.items if item.code not in answers]
        if missing:
            result[dim.code] = missing
    return result


def submit(invitation: models.Invitation, response: models.Response, today: dt.date) -> None:
    """Make the response final and cut its tie to the invitation (anonymity by design)."""
    response.state = "submitted"
    response.submitted_on = today
    response.saved_at = None
    invitation.response = None
    invitation.used_on = today
