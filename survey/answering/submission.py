"""Submitting: the answers become a response that nothing joins to the link.

The response is a new row under a random key, written with up to MIX - 1 earlier
responses of the round in random order (survey.db.mixing), and the draft with its answers
is deleted; the invitation keeps only that it was used. A copy of the database taken
afterwards holds no path from a link to the answers given through it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from survey.answering.drafts import missing_background, question_ids
from survey.answering.links import DraftRow, Link
from survey.answering.sealing import Content
from survey.answering.validation import AnswersRejected, Problem
from survey.db import mixing, models
from survey.db.models import RoundState
from survey.errors import RoundNotOpen

_INVITATION = models.Invitation.__table__
_DRAFT = models.Draft.__table__
_DAYS = models.SubmissionDay.__table__
# Built once with parameters (survey.answering.links says why).
_USED = (
    update(_INVITATION)
    .where(_INVITATION.c.id == bindparam("link_id"))
    .values(draft_id=None, used=True)
)
_DELETE_DRAFT = delete(_DRAFT).where(_DRAFT.c.id == bindparam("draft_id"))
_DAY_VALUES = {"round_id": bindparam("round_id"), "day": bindparam("day"), "submitted": 1}
_COUNT_DAY = {
    name: dialect.insert(_DAYS)
    .values(**_DAY_VALUES)
    .on_conflict_do_update(
        index_elements=[_DAYS.c.round_id, _DAYS.c.day],
        set_={"submitted": _DAYS.c.submitted + 1},
    )
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def submit(
    session: Session,
    link: Link,
    draft: DraftRow,
    content: Content,
    language: str,
    day: dt.date,
) -> None:
    """Make the answers final and cut every tie to the link (anonymity by design)."""
    q = link.questionnaire
    missing = missing_background(q, content)
    if missing:
        raise AnswersRejected([Problem(code, "required") for code in missing])
    items, dimensions = question_ids(session, link.round.questionnaire_id)
    new = mixing.Submitted(
        language=language,
        role=content.background.get("role"),
        agency=content.background.get("agency"),
        years=content.background.get("years"),
        answers=[(items[code], value) for code, value in sorted(content.answers.items())],
        comments=[(dimensions[code], text) for code, text in sorted(content.comments.items())],
    )
    state = mixing.share_round(session, link.round.id)
    if state is not None and state != RoundState.OPEN:  # closed while this submit waited
        raise RoundNotOpen(state, link.round.opens_on, link.round.closes_on)
    # On PostgreSQL written together with up to MIX - 1 earlier responses, in random order:
    # no copy of the database lists the submissions in the order they came (db.mixing).
    mixing.mix_round(session, link.round.id, new, limit=mixing.submit_group(session))
    session.execute(_USED, {"link_id": link.id})
    if draft.sealed is None:  # a plain draft from before revision 0008: its rows too
        delete_drafts(session, [draft.id])
    else:
        session.execute(_DELETE_DRAFT, {"draft_id": draft.id})
    _count(session, link.round.id, day)


def delete_drafts(session: Session, ids: list[int]) -> None:
    """Explicit deletes rather than ON DELETE, which SQLite honours only where the
    connection turned foreign keys on."""
    session.execute(delete(models.DraftAnswer).where(models.DraftAnswer.draft_id.in_(ids)))
    session.execute(delete(models.DraftComment).where(models.DraftComment.draft_id.in_(ids)))
    session.execute(
        models.Invitation.__table__.update()
        .where(models.Invitation.draft_id.in_(ids))
        .values(draft_id=None)
    )
    session.execute(delete(models.Draft).where(models.Draft.id.in_(ids)))


def _count(session: Session, round_id: int, day: dt.date) -> None:
    """One more response today, for the response rate's chart: a count joined to nothing.
    One upsert, which two simultaneous submits on PostgreSQL cannot both insert."""
    upsert = _COUNT_DAY[session.get_bind().dialect.name]
    session.execute(upsert, {"round_id": round_id, "day": day})
