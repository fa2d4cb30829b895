"""What a respondent reads about a refused form: one message per problem, in their language,
each pointing at the field it is about (for the error summary's links)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from survey.answering.validation import COMMENT_MAX_CHARS, Problem
from survey.instruments.questionnaire import Questionnaire
from survey.web.form_text import control_characters_text
from survey.web.respond.forms import COMMENT_FIELD, ITEM_FIELD
from survey.web.shell import ErrorMessage, localized

#: A tampered field name is shown, but never at any length.
SHOWN_CHARS = 40
#: Unknown fields named in an error summary; more are only counted.
SHOWN_UNKNOWN = 3


def _short(value: str) -> str:
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"


def _labels(q: Questionnaire | None) -> dict[str, tuple[str, str | None]]:
    """Field name -> (what the respondent calls it, id of its first input)."""
    if q is None:
        return {}
    labels: dict[str, tuple[str, str | None]] = {
        COMMENT_FIELD: (_("Comment (optional)"), COMMENT_FIELD)
    }
    for question in q.background:
        first = f"{question.code}-{question.choices[0].code}" if question.choices else None
        labels[question.code] = (localized(question.text), first)
    for item in (item for dim in q.dimensions for item in dim.answerable()):
        labels[ITEM_FIELD + item.code] = (localized(item.text), f"{ITEM_FIELD}{item.code}-1")
    return labels


def _text(problem: Problem, label: str, q: Questionnaire | None) -> str:
    kind, value = problem.kind, _short(problem.value)
    if kind == "required":
        return _("Answer the question: %(question)s", question=label)
    if kind == "not_a_choice":
        return _(
            "“%(value)s” is not one of the choices for: %(question)s", value=value, question=label
        )
    if kind == "not_on_scale":
        return _(
            "“%(value)s” is not a value on the scale. Choose 1–5 or “%(dont_know)s” for "
            "the statement: %(statement)s",
            value=value,
            statement=label,
            dont_know=localized(q.scale.dont_know) if q else "",
        )
    if kind == "repeated":
        return _("More than one answer was sent for: %(label)s", label=label)
    if kind == "too_long":
        return _(
            "The comment is too long: %(length)s characters, at most %(max)s.",
            length=value,
            max=COMMENT_MAX_CHARS,
        )
    if kind == "expired":
        return _(
            "The page had expired (or was sent without its security code), so nothing on "
            "it was saved yet. Your answers are shown again: check them and send the page "
            "again."
        )
    if kind == "too_many_fields":
        return _(
            "The form sent %(count)s fields, more than this page has, so nothing on it was "
            "saved. Go back and try again.",
            count=value,
        )
    if kind == "control_characters":
        return control_characters_text(label)
    if kind == "enter_with_blanks":
        return _(
            "You pressed Enter, so you are still on this part: some statements have no "
            "answer yet. Choose one, or press Next to leave them blank."
        )
    if kind == "blank":
        return _("Not answered yet: %(statement)s", statement=label)
    if kind == "tampered":
        return _("The form was not made for this link, so nothing was submitted. Try again.")
    field = problem.field + (f"={problem.value}" if problem.value else "")
    return _("The form contained a field this page does not have: %(field)s", field=_short(field))


def problem_messages(q: Questionnaire | None, problems: Iterable[Problem]) -> list[ErrorMessage]:
    """One message per problem; only the first SHOWN_UNKNOWN fields nobody asked for are
    named (a tampered form could send hundreds), the rest counted in one message."""
    problems = list(problems)
    if not problems:  # every page shown without a fault: no labels to look up
        return []
    labels = _labels(q)
    messages = []
    unknown = 0
    for problem in problems:
        if problem.kind == "unknown_field":
            unknown += 1
            if unknown > SHOWN_UNKNOWN:
                continue
        label, anchor = labels.get(problem.field, (_short(problem.field), None))
        messages.append(ErrorMessage(problem.field, anchor, _text(problem, label, q)))
    if unknown > SHOWN_UNKNOWN:
        hidden = unknown - SHOWN_UNKNOWN
        more = _("…and %(count)s more fields this page does not have.", count=hidden)
        messages.append(ErrorMessage("", None, more))
    return messages
