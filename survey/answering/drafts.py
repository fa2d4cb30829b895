"""A response in progress: started on first save, saved page by page, read back to resume.

Every page change is saved to the database, so a respondent can stop and come back through
the same link on any device; nothing lives in the browser session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from survey.answering.validation import DONT_KNOW, DimensionPage
from survey.db import models
from survey.instruments.questionnaire import REQUIRED_BACKGROUND, Dimension, Questionnaire


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
    response: models.Response, values: Mapping[str, str | None], now: dt.datetime
) -> None:
    """Store checked background answers (from `check_background`)."""
    for code, value in values.items():
        setattr(response, code, value)
    response.saved_at = now


def save_dimension(
    session: Session,
    response: models.Response,
    dimension: Dimension,
    page: DimensionPage,
    now: dt.datetime,
) -> None:
    """Replace this response's answers (and comment) for one dimension with a checked page."""
    questionnaire_id = response.round.questionnaire_id
    ids = item_ids(session, questionnaire_id)
    session.execute(
        delete(models.Answer).where(
            models.Answer.response_id == response.id,
            models.Answer.item_id.in_([ids[item.code] for item in dimension.items]),
        )
    )
    if page.ratings:
        # One INSERT however many statements the page has: as ORM objects SQLite would be
        # sent one per answer (it cannot batch inserts that return the new ids).
        session.execute(
            insert(models.Answer),
            [
                {"response_id": response.id, "item_id": ids[code], "value": value}
                for code, value in page.ratings.items()
            ],
        )
    if page.comment is not None:
        dim_id = dimension_ids(session, questionnaire_id)[dimension.code]
        session.execute(
            delete(models.Comment).filter_by(response_id=response.id, dimension_id=dim_id)
        )
        if page.comment:
            session.add(
                models.Comment(response_id=response.id, dimension_id=dim_id, text=page.comment)
            )
    response.saved_at = now
    session.flush()


def answers_of(session: Session, response: models.Response | None) -> dict[str, str]:
    """Item code → the form value to pre-fill ('1'…'5' or 'dk'); unanswered items absent."""
    if response is None:
        return {}
    rows = session.execute(
        select(models.Item.code, models.Answer.value)
        .join(models.Answer, models.Answer.item_id == models.Item.id)
        .where(models.Answer.response_id == response.id)
    )
    return {code: DONT_KNOW if value is None else str(value) for code, value in rows.all()}


def comments_of(session: Session, response: models.Response | None) -> dict[str, str]:
    if response is None:
        return {}
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


def missing_background(q: Questionnaire, response: models.Response | None) -> list[str]:
    """Required background questions (role, agency) this response has not answered."""
    return [
        b.code
        for b in q.background
        if b.code in REQUIRED_BACKGROUND and (response is None or not getattr(response, b.code))
    ]
