"""A response in progress: started on first save, saved page by page, read back to resume.

Every page change is saved to the database, so a respondent can stop and come back through
the same link on any device; nothing lives in the browser session. What a draft holds is
sealed with its link (survey.answering.sealing): every function that reads or writes it
takes the token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import bindparam, delete, insert, literal, select, union_all, update
from sqlalchemy.orm import Session

from survey.answering import sealing
from survey.answering.links import DraftRow, Link
from survey.answering.sealing import Content
from survey.answering.validation import DONT_KNOW, DimensionPage
from survey.db import models
from survey.instruments.questionnaire import REQUIRED_BACKGROUND, Dimension, Questionnaire

_DRAFT = models.Draft.__table__
_INVITATION = models.Invitation.__table__
_ITEM = models.Item.__table__
_DIMENSION = models.Dimension.__table__

# A respondent's saves run these on every request: built once with parameters, so each is
# found compiled in SQLAlchemy's cache rather than built and keyed again (survey.answering.
# links says why).
_NEW_DRAFT = (
    insert(_DRAFT)
    .values(round_id=bindparam("round_id"), saved_at=bindparam("now"), sealed=b"")
    .returning(_DRAFT.c.id)
)
_JOIN_DRAFT = (
    update(_INVITATION)
    .where(_INVITATION.c.id == bindparam("link_id"))
    .values(draft_id=bindparam("draft_id"))
)
_SEAL = (
    update(_DRAFT)
    .where(_DRAFT.c.id == bindparam("draft_id"))
    .values(sealed=bindparam("sealed"), saved_at=bindparam("now"))
)
_QUESTION_IDS = union_all(
    select(literal("item"), _ITEM.c.code, _ITEM.c.id).where(
        _ITEM.c.questionnaire_id == bindparam("questionnaire_id")
    ),
    select(literal("dimension"), _DIMENSION.c.code, _DIMENSION.c.id).where(
        _DIMENSION.c.questionnaire_id == bindparam("questionnaire_id")
    ),
)


def start_or_resume(session: Session, link: Link, now: dt.datetime) -> DraftRow:
    """The link's draft, made (and joined to the link) on its first save."""
    if link.draft is not None:
        return link.draft
    # Sealed from the start (empty until its first save seals content onto it), so a new
    # draft never takes the path of the plain drafts from before revision 0008.
    draft_id = session.execute(_NEW_DRAFT, {"round_id": link.round.id, "now": now}).scalar_one()
    session.execute(_JOIN_DRAFT, {"link_id": link.id, "draft_id": draft_id})
    return DraftRow(draft_id, b"")


def read(session: Session, draft: DraftRow | models.Draft | None, token: str) -> Content:
    """What the draft holds, opened with its link (empty for no draft)."""
    if draft is None:
        return Content()
    if draft.sealed is not None:
        return sealing.unseal(draft.sealed, token, draft.id)
    return _unsealed(session, draft)


def _unsealed(session: Session, draft: DraftRow | models.Draft) -> Content:
    """A draft saved before revision 0008: plain columns and rows."""
    answers = session.execute(
        select(models.Item.code, models.DraftAnswer.value)
        .join(models.DraftAnswer, models.DraftAnswer.item_id == models.Item.id)
        .where(models.DraftAnswer.draft_id == draft.id)
    )
    comments = session.execute(
        select(models.Dimension.code, models.DraftComment.text)
        .join(models.DraftComment, models.DraftComment.dimension_id == models.Dimension.id)
        .where(models.DraftComment.draft_id == draft.id)
    )
    return Content(
        language=draft.language,
        background={"role": draft.role, "agency": draft.agency, "years": draft.years},
        answers={code: value for code, value in answers},
        comments={code: text for code, text in comments},
    )


def _store(
    session: Session, draft: DraftRow, token: str, content: Content, now: dt.datetime
) -> None:
    """Seal the content onto the draft; a draft from before 0008 loses its plain rows."""
    sealed = sealing.seal(content, token, draft.id)
    if draft.sealed is None:
        session.execute(delete(models.DraftAnswer).where(models.DraftAnswer.draft_id == draft.id))
        session.execute(delete(models.DraftComment).where(models.DraftComment.draft_id == draft.id))
        session.execute(
            update(_DRAFT)
            .where(_DRAFT.c.id == draft.id)
            .values(language="sv", role=None, agency=None, years=None)
        )
    session.execute(_SEAL, {"draft_id": draft.id, "sealed": sealed, "now": now})


def item_ids(session: Session, questionnaire_id: int) -> dict[str, int]:
    rows = session.execute(
        select(models.Item.code, models.Item.id).filter_by(questionnaire_id=questionnaire_id)
    )
    return dict(rows.all())


def question_ids(session: Session, questionnaire_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """`item_ids` and `dimension_ids` in one statement (a submit needs both)."""
    found: dict[str, dict[str, int]] = {"item": {}, "dimension": {}}
    for kind, code, row_id in session.execute(
        _QUESTION_IDS, {"questionnaire_id": questionnaire_id}
    ):
        found[kind][code] = row_id
    return found["item"], found["dimension"]


def dimension_ids(session: Session, questionnaire_id: int) -> dict[str, int]:
    rows = session.execute(
        select(models.Dimension.code, models.Dimension.id).filter_by(
            questionnaire_id=questionnaire_id
        )
    )
    return dict(rows.all())


def save_background(
    session: Session,
    draft: DraftRow,
    token: str,
    values: Mapping[str, str | None],
    language: str,
    now: dt.datetime,
) -> Content:
    """Store checked background answers (from `check_background`); returns what the draft
    holds now."""
    content = read(session, draft, token)
    content.background.update(values)
    content.language = language
    _store(session, draft, token, content, now)
    return content


def save_dimension(
    session: Session,
    draft: DraftRow,
    token: str,
    dimension: Dimension,
    page: DimensionPage,
    now: dt.datetime,
) -> Content:
    """Replace the draft's answers (and comment) for one dimension with a checked page;
    returns what the draft holds now."""
    content = read(session, draft, token)
    for item in dimension.answerable():
        content.answers.pop(item.code, None)
    content.answers.update(page.ratings)
    if page.comment:
        content.comments[dimension.code] = page.comment
    elif page.comment is not None:  # an emptied comment field
        content.comments.pop(dimension.code, None)
    _store(session, draft, token, content, now)
    return content


def answers_of(content: Content) -> dict[str, str]:
    """Item code → the form value to pre-fill ('1'…'5' or 'dk'); unanswered items absent."""
    return {
        code: DONT_KNOW if value is None else str(value) for code, value in content.answers.items()
    }


def comments_of(content: Content) -> dict[str, str]:
    return dict(content.comments)


def unanswered(q: Questionnaire, answers: Mapping[str, str]) -> dict[str, list[str]]:
    """Dimension code → item codes not yet answered (neither a rating nor 'vet ej')."""
    result = {}
    for dim in q.dimensions:
        missing = [item.code for item in dim.items if item.code not in answers]
        if missing:
            result[dim.code] = missing
    return result


def resume_page(q: Questionnaire, content: Content, answers: Mapping[str, str]) -> int:
    """Where a returning respondent lands: 0 for the questions about them while those are
    unanswered, else the first part with a statement left blank (the summary: pages + 1)."""
    if missing_background(q, content):
        return 0
    open_parts = unanswered(q, answers)
    for number, dim in enumerate(q.dimensions, 1):
        if dim.code in open_parts:
            return number
    return len(q.dimensions) + 1


def missing_background(q: Questionnaire, content: Content) -> list[str]:
    """Required background questions (role, agency) this draft has not answered."""
    return [
        b.code
        for b in q.background
        if b.code in REQUIRED_BACKGROUND and not content.background.get(b.code)
    ]
