"""Answering a questionnaire: start or resume, check and save a page, submit.

Every page change is saved to the database, so a respondent can stop and come back through
the same link on any device; nothing lives in the browser session. Each page is checked as
a whole before anything is written, so a bad value never leaves half a page stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.errors import InvalidAnswer
from survey.instruments.questionnaire import REQUIRED_BACKGROUND, Dimension, Questionnaire

DONT_KNOW = "dk"
#: Form field of a statement: "item-" + its code, e.g. item-STRAT1.
ITEM_FIELD = "item-"
COMMENT_FIELD = "comment"
COMMENT_MAX_CHARS = 2000
#: Control characters other than tab and newline: never typed, and NUL breaks PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Form = Mapping[str, Sequence[str]]  # field name -> every value sent under it


@dataclass(frozen=True)
class Problem:
    """One fault in a posted form, named by field so the page can point at it."""

    field: str
    kind: str  # required | not_a_choice | not_on_scale | unknown_field | repeated | too_long
    value: str = ""

    def describe(self) -> str:
        return f"{self.field}: {self.kind}" + (f" ({self.value!r})" if self.value else "")


class FormRejected(InvalidAnswer):
    """A posted page that cannot be stored; nothing of it was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.describe() for p in problems))


@dataclass(frozen=True)
class DimensionPage:
    """A checked dimension page: item code -> 1…5 or None (vet ej); unanswered absent."""

    ratings: dict[str, int | None]
    comment: str | None  # None: the form had no comment field


def _single(form: Form, name: str, problems: list[Problem]) -> str:
    values = list(form.get(name) or [])
    if len(values) > 1:
        problems.append(Problem(name, "repeated"))
    return values[0].strip() if values else ""


def _unknown(form: Form, known: set[str], problems: list[Problem]) -> None:
    problems.extend(Problem(name, "unknown_field") for name in sorted(set(form) - known))


def check_background(q: Questionnaire, form: Form, *, complete: bool) -> dict[str, str | None]:
    """Background question code -> chosen code (None: not answered). `complete` demands the
    required questions (role, agency), as moving on does; saving on the way out does not."""
    problems: list[Problem] = []
    values: dict[str, str | None] = {}
    for question in q.background:
        raw = _single(form, question.code, problems)
        if raw and raw not in question.choice_codes():
            problems.append(Problem(question.code, "not_a_choice", raw))
        elif not raw and complete and question.code in REQUIRED_BACKGROUND:
            problems.append(Problem(question.code, "required"))
        values[question.code] = raw or None
    _unknown(form, {b.code for b in q.background}, problems)
    if problems:
        raise FormRejected(problems)
    return values


def parse_rating(raw: str, q: Questionnaire) -> int | None | str:
    """'1'…'5' → int, 'dk' → None (vet ej), '' → '' (not answered), else ValueError."""
    if raw in ("", DONT_KNOW):
        return None if raw == DONT_KNOW else ""
    # A lookup, not int(): int() takes '٣' or ' 3' and raises on '²'.
    points = {str(point): point for point in q.scale.points}
    if raw in points:
        return points[raw]
    raise ValueError(raw)


def clean_comment(text: str) -> str:
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def check_dimension(q: Questionnaire, dimension: Dimension, form: Form) -> DimensionPage:
    problems: list[Problem] = []
    ratings: dict[str, int | None] = {}
    for item in dimension.items:
        name = ITEM_FIELD + item.code
        raw = _single(form, name, problems)
        try:
            value = parse_rating(raw, q)
        except ValueError:
            problems.append(Problem(name, "not_on_scale", raw))
            continue
        if value != "":
            ratings[item.code] = value  # type: ignore[assignment]
    comment = None
    if COMMENT_FIELD in form:
        comment = clean_comment(_single(form, COMMENT_FIELD, problems))
        if len(comment) > COMMENT_MAX_CHARS:
            problems.append(Problem(COMMENT_FIELD, "too_long", str(len(comment))))
    known = {ITEM_FIELD + item.code for item in dimension.items} | {COMMENT_FIELD}
    _unknown(form, known, problems)
    if problems:
        raise FormRejected(problems)
    return DimensionPage(ratings, comment)


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
    session.add_all(
        models.Answer(response_id=response.id, item_id=ids[code], value=value)
        for code, value in page.ratings.items()
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
        raise FormRejected([Problem(code, "required") for code in missing])
    response.state = "submitted"
    response.language = language
    response.submitted_on = today
    response.saved_at = None
    invitation.response = None
    invitation.used_on = today


def purge_abandoned(session: Session, saved_before: dt.datetime) -> int:
    """Delete unfinished responses last saved before `saved_before`; returns how many.

    Data minimisation: a draft nobody came back to is answers nobody chose to submit. The
    answers and comments go with it and the invitation is freed, so the same link starts
    afresh if it is used again.
    """
    abandoned = select(models.Response.id).where(
        models.Response.state == "in_progress", models.Response.saved_at < saved_before
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
