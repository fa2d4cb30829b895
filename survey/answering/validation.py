"""Checking answers before anything is stored: plain data in ({item_code: raw value},
background code → choice code), every fault named, nothing half-accepted.

The web shell turns its form into this plain data and the faults back into fields; the
core never knows what the form's fields are called.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from survey.errors import InvalidAnswer
from survey.instruments.questionnaire import REQUIRED_BACKGROUND, Dimension, Questionnaire

DONT_KNOW = "dk"
#: The name faults in a comment are reported under.
COMMENT = "comment"
COMMENT_MAX_CHARS = 2000
#: Control characters other than tab and newline: never typed, and NUL breaks PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    """One fault, named by what it is about (an item code, a background question, the
    comment, or a name nobody asked for) so a page can point at it."""

    field: str
    kind: str  # required | not_a_choice | not_on_scale | unknown_field | repeated | too_long
    value: str = ""

    def describe(self) -> str:
        return f"{self.field}: {self.kind}" + (f" ({self.value!r})" if self.value else "")


class AnswersRejected(InvalidAnswer):
    """Answers that cannot be stored; nothing of them was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.describe() for p in problems))


@dataclass(frozen=True)
class DimensionPage:
    """A checked dimension page: item code -> 1…5 or None (vet ej); unanswered absent."""

    ratings: dict[str, int | None]
    comment: str | None  # None: the form had no comment field


#: Fields a page may carry beyond its own inputs; more and it is refused whole, with one
#: message rather than one per field (a tampered form may send hundreds).
EXTRA_FIELDS = 3


def check_size(sent: int, own_fields: int) -> None:
    """A form with more fields than its page has (plus EXTRA_FIELDS, each then named as
    unknown) is refused whole, before anything else is made of it."""
    if sent > own_fields + EXTRA_FIELDS:
        raise AnswersRejected([Problem("", "too_many_fields", str(sent))])


def _unknown(values: Iterable[str], known: set[str]) -> list[Problem]:
    return [Problem(name, "unknown_field") for name in sorted(set(values) - known)]


def check_background(
    q: Questionnaire, values: Mapping[str, str], *, complete: bool
) -> dict[str, str | None]:
    """Background question code -> chosen code (None: not answered). `complete` demands the
    required questions (role, agency), as moving on does; saving on the way out does not."""
    check_size(len(values), len(q.background))
    problems = _unknown(values, {b.code for b in q.background})
    checked: dict[str, str | None] = {}
    for question in q.background:
        raw = (values.get(question.code) or "").strip()
        if raw and raw not in question.choice_codes():
            problems.append(Problem(question.code, "not_a_choice", raw))
        elif not raw and complete and question.code in REQUIRED_BACKGROUND:
            problems.append(Problem(question.code, "required"))
        checked[question.code] = raw or None
    if problems:
        raise AnswersRejected(problems)
    return checked


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


def check_dimension(
    q: Questionnaire, dimension: Dimension, ratings: Mapping[str, str], comment: str | None
) -> DimensionPage:
    """Item code -> raw value ('1'…'5', 'dk', '' for not answered) of one dimension's page,
    and its comment (None: the page had no comment)."""
    # Its statements and the comment, as the page's form has them.
    check_size(len(ratings) + (comment is not None), len(dimension.answerable()) + 1)
    problems = _unknown(ratings, {item.code for item in dimension.answerable()})
    checked: dict[str, int | None] = {}
    for item in dimension.answerable():
        raw = (ratings.get(item.code) or "").strip()
        try:
            value = parse_rating(raw, q)
        except ValueError:
            problems.append(Problem(item.code, "not_on_scale", raw))
            continue
        if value != "":
            checked[item.code] = value  # type: ignore[assignment]
    if comment is not None:
        comment = clean_comment(comment)
        if len(comment) > COMMENT_MAX_CHARS:
            problems.append(Problem(COMMENT, "too_long", str(len(comment))))
    if problems:
        raise AnswersRejected(problems)
    return DimensionPage(checked, comment)
