"""The respondent's HTML forms turned into the plain data the core checks, and the core's
faults turned back into the form's field names (for the error summary's links)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from survey.answering.validation import COMMENT, AnswersRejected, Problem, check_dimension
from survey.instruments.questionnaire import Dimension, Questionnaire

#: Form field of a statement: "item-" + its code, e.g. item-STRAT1.
ITEM_FIELD = "item-"
COMMENT_FIELD = COMMENT

Form = Mapping[str, Sequence[str]]  # field name -> every value sent under it


def _single(form: Form, name: str, problems: list[Problem]) -> str:
    values = list(form.get(name) or [])
    if len(values) > 1:
        problems.append(Problem(name, "repeated"))
    return values[0] if values else ""


def background_data(form: Form) -> tuple[dict[str, str], list[Problem]]:
    """Question code -> choice, and the faults only a form can have (a field sent twice)."""
    problems: list[Problem] = []
    return {name: _single(form, name, problems) for name in form}, problems


def dimension_data(form: Form) -> tuple[dict[str, str], str | None, list[Problem]]:
    """Item code -> raw value, the comment (None: not on the form), and form-only faults:
    a field sent twice, or a field that is neither a statement nor the comment."""
    problems: list[Problem] = []
    ratings = {
        name.removeprefix(ITEM_FIELD): _single(form, name, problems)
        for name in form
        if name.startswith(ITEM_FIELD)
    }
    comment = _single(form, COMMENT_FIELD, problems) if COMMENT_FIELD in form else None
    problems.extend(
        Problem(name, "unknown_field")
        for name in sorted(form)
        if not name.startswith(ITEM_FIELD) and name != COMMENT_FIELD
    )
    return ratings, comment, problems


def item_fields(problems: Iterable[Problem]) -> list[Problem]:
    """The core names a statement by its code; the page by its field."""
    return [
        p if p.field == COMMENT else Problem(ITEM_FIELD + p.field, p.kind, p.value)
        for p in problems
    ]


def page_problems(
    q: Questionnaire, dimension: Dimension, ratings: Mapping[str, str], comment: str | None
) -> list[Problem]:
    """The value faults of a page, named by field, without saving anything."""
    try:
        check_dimension(q, dimension, ratings, comment)
    except AnswersRejected as exc:
        return item_fields(exc.problems)
    return []
