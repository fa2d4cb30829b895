"""Validation of what a questionnaire file says about reporting and versions: level
descriptions per dimension, report groups of background choices, and how a statement
replaces one of the version before. Mixed into the loader's validator, whose `fail`,
`text`, `code`, `mapping`, `list_of` and `unique_code` it uses."""

from __future__ import annotations

import re
from typing import Any

from survey.i18n import N_
from survey.instruments.questionnaire import (
    MEANINGS,
    SCALE_MAX,
    SCALE_MIN,
    BackgroundQuestion,
    Level,
    Replacement,
    ReportGroup,
)

_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_CODE_HINT = "upper-case letters, digits or '_', starting with a letter"


class ReportingRules:
    """The checks for `levels`, `report_groups` and `replaces` (all optional)."""

    def levels(self, value: Any, path: str) -> tuple[Level, ...]:
        """What a score means at some points of the scale: at least two points, 1–5."""
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.fail(
                path,
                N_("must map points of the scale to a text, found %(found)s"),
                found=kind(value),
            )
            return ()
        levels = []
        for raw_point, text in value.items():
            point = _point(raw_point)
            if point is None or not SCALE_MIN <= point <= SCALE_MAX:
                self.fail(
                    f"{path}.{raw_point}",
                    N_("not a point of the scale (%(min)s–%(max)s)"),
                    min=SCALE_MIN,
                    max=SCALE_MAX,
                )
                continue
            levels.append(Level(point, self.text(text, f"{path}.{raw_point}")))
        if len(value) < 2:
            self.fail(path, N_("describe at least two points of the scale (e.g. 1, 3 and 5)"))
        return tuple(sorted(levels, key=lambda lv: lv.point))

    def replaces(self, value: Any, path: str, own_code: str) -> Replacement | None:
        """`{item: CODE, meaning: same|changed}`: same meaning keeps the code, a changed
        meaning takes a new one (so a code always means one question across versions)."""
        if value is None:
            return None
        m = self.mapping(value, path, ("item", "meaning"))
        if m is None:
            return None
        item = self.code(m.get("item"), f"{path}.item", _CODE_RE, _CODE_HINT)
        meaning = m.get("meaning")
        if meaning not in MEANINGS:
            self.fail(
                f"{path}.meaning",
                N_("must be one of %(allowed)s, found %(value)r"),
                allowed=", ".join(MEANINGS),
                value=meaning,
            )
        elif meaning == "same" and item != own_code:
            self.fail(
                f"{path}.item",
                N_(
                    "a statement whose meaning is unchanged keeps its code: use %(item)r as "
                    "its code, or say meaning: changed"
                ),
                item=item,
            )
        elif meaning == "changed" and item == own_code:
            self.fail(
                f"{path}.meaning",
                N_("a statement whose meaning changed needs a new code, not %(code)r"),
                code=own_code,
            )
        return Replacement(item, str(meaning))

    def report_groups(
        self, value: Any, background: tuple[BackgroundQuestion, ...]
    ) -> dict[str, tuple[ReportGroup, ...]]:
        """`report_groups: {role: [{code, label, choices: [...]}, …]}`: choices of a
        background question shown together in results."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(
                "report_groups",
                N_("must map background questions to groups, found %(found)s"),
                found=kind(value),
            )
            return {}
        result: dict[str, tuple[ReportGroup, ...]] = {}
        questions = {q.code: q for q in background}
        for question, raw_groups in value.items():
            path = f"report_groups.{question}"
            if question not in questions:
                self.fail(
                    path,
                    N_("not a background question of this file (%(allowed)s)"),
                    allowed=", ".join(questions),
                )
                continue
            result[str(question)] = self._groups(raw_groups, path, questions[question])
        return result

    def _groups(
        self, value: Any, path: str, question: BackgroundQuestion
    ) -> tuple[ReportGroup, ...]:
        groups: list[ReportGroup] = []
        codes: set[str] = set()
        taken: dict[str, str] = {}
        for i, raw in enumerate(self.list_of(value, path)):
            gpath = f"{path}[{i}]"
            g = self.mapping(raw, gpath, ("code", "label", "choices"))
            if g is None:
                continue
            code = self.unique_code(g, gpath, codes, "choice")
            label = self.text(g.get("label"), f"{gpath}.label")
            choices = [str(c) for c in self.list_of(g.get("choices"), f"{gpath}.choices")]
            for j, choice in enumerate(choices):
                if choice not in question.choice_codes():
                    self.fail(
                        f"{gpath}.choices[{j}]",
                        N_("%(choice)r is not a choice of '%(question)s'"),
                        choice=choice,
                        question=question.code,
                    )
                elif choice in taken:
                    self.fail(
                        f"{gpath}.choices[{j}]",
                        N_("%(choice)r is already in the group '%(group)s'"),
                        choice=choice,
                        group=taken[choice],
                    )
                taken.setdefault(choice, code)
            if code in question.choice_codes() and code not in choices:
                self.fail(
                    f"{gpath}.code",
                    N_("%(code)r is a choice outside this group; name the group otherwise"),
                    code=code,
                )
            groups.append(ReportGroup(code, label, tuple(choices)))
        return tuple(groups)


def _point(value: Any) -> int | None:
    """A point of the scale as a key: 3, or "3" (JSON storage gives keys back as text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def kind(value: Any) -> str:
    """How a wrong value is named in a fault: "a list", "the text 'x'"…"""
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: f"the text {value!r}",
        bool: f"{value!r}",
        int: f"the number {value}",
        float: f"the number {value}",
    }.get(type(value), type(value).__name__)
