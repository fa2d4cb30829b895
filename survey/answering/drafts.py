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
) -> models.Draft:
    if invitation.draft is not None:
        return invitation.draft
    draft = models.Draft(round_id=invitation.round_id, language=language, saved_at=now)
    session.add(draft)
    session.flush()
    invitation.draft = draft
    return draft


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
    draft: models.Draft, values: Mapping[str, str | None], now: dt.datetime
) -> None:
    """Store checked background answers (from `check_background`)."""
    for code, value in values.items():
        setattr(draft, code, value)
    draft.saved_at = now


def save_dimension(
    session: Session,
    draft: models.Draft,
    dimension: Dimension,
    page: DimensionPage,
    now: dt.datetime,
) -> None:
    """Replace the draft's answers (and comment) for one dimension with a checked page."""
    questionnaire_id = draft.round.questionnaire_id
    ids = item_ids(session, questionnaire_id)
    session.execute(
        delete(models.DraftAnswer).where(
            models.DraftAnswer.draft_id == draft.id,
            models.DraftAnswer.item_id.in_([ids[item.code] for item in dimension.answerable()]),
        )
    )
    if page.ratings:
        # One INSERT however many statements the page has: as ORM objects SQLite would be
        # sent one per answer (it cannot batch inserts that return the new ids).
        session.execute(
            insert(models.DraftAnswer),
            [
                {"draft_id": draft.id, "item_id": ids[code], "value": value}
                for code, value in page.ratings.items()
            ],
        )
    if page.comment is not None:
        dim_id = dimension_ids(session, questionnaire_id)[dimension.code]
        session.execute(
            delete(models.DraftComment).filter_by(draft_id=draft.id, dimension_id=dim_id)
        )
        if page.comment:
            session.add(
                models.DraftComment(draft_id=draft.id, dimension_id=dim_id, text=page.comment)
            )
    draft.saved_at = now
    session.flush()


def answers_of(session: Session, draft: models.Draft | None) -> dict[str, str]:
    """Item code → the form value to pre-fill ('1'…'5' or 'dk'); unanswered items absent."""
    if draft is None:
        return {}
    rows = session.execute(
        select(models.Item.code, models.DraftAnswer.value)
        .join(models.DraftAnswer, models.DraftAnswer.item_id == models.Item.id)
        .where(models.DraftAnswer.draft_id == draft.id)
    )
    return {code: DONT_KNOW if value is None else str(value) for code, value in rows.all()}


def comments_of(session: Session, draft: models.Draft | None) -> dict[str, str]:
    if draft is None:
        return {}
    rows = session.execute(
        select(models.Dimension.code, models.DraftComment.text)
        .join(models.DraftComment, models.DraftComment.dimension_id == models.Dimension.id)
        .where(models.DraftComment.draft_id == draft.id)
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


def resume_page(q: Questionnaire, draft: models.Draft | None, answers: Mapping[str, str]) -> int:
    """Where a returning respondent lands: 0 for the questions about them while those are
    unanswered, else the first part with a statement left blank (the summary: pages + 1)."""
    if draft is None or missing_background(q, draft):
        return 0
    open_parts = unanswered(q, answers)
    for number, dim in enumerate(q.dimensions, 1):
        if dim.code in open_parts:
            return number
    return len(q.dimensions) + 1


def missing_background(q: Questionnaire, draft: models.Draft | None) -> list[str]:
    """Required background questions (role, agency) this draft has not answered."""
    return [
        b.code
        for b in q.background
        if b.code in REQUIRED_BACKGROUND and (draft is None or not getattr(draft, b.code))
    ]
