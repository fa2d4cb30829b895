"""A questionnaire as plain, validated data: scale, background questions, dimensions and
their statements. `loading` makes these from YAML files; nothing here reads a file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("sv", "en")
GROUPS = ("strategy", "structural", "cultural", "individual", "outcomes")
#: Background questions the app knows how to store and break results down by.
BACKGROUND_CODES = ("role", "agency", "years")
REQUIRED_BACKGROUND = ("role", "agency")
SCALE_MIN, SCALE_MAX = 1, 5
#: The level question's two askings: where the förbund is now, where it should be in two years.
LEVEL_KINDS = ("now", "want")


def level_code(dimension: str, kind: str) -> str:
    """The stable code of a dimension's level question as stored beside its statements
    ("STRAT.NOW", "STRAT.WANT"): a statement code never has a dot, so these never clash."""
    return f"{dimension}.{kind.upper()}"


Text = dict[str, str]  # language code -> text
MINUTES_RE = re.compile(r"(\d{1,3})\s*(?:minut|min\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Fault:
    """One fault of a file: where, and what as a message id (English, marked for the
    catalogue) with its values, so a page words it in its own language."""

    path: str
    template: str
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The fault in English (the command line, logs)."""
        return self.template % self.values if self.values else self.template


class QuestionnaireError(Exception):
    """A questionnaire file that cannot be used; `problems` lists every fault found."""

    def __init__(self, source: str, problems: list[Fault]):
        self.source = source
        self.problems = problems
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = [
            f"{self.source}: {p.path}: {p.message}" if p.path else f"{self.source}: {p.message}"
            for p in self.problems
        ]
        return "\n".join(lines)


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text


@dataclass(frozen=True)
class BackgroundQuestion:
    code: str
    text: Text
    choices: tuple[Choice, ...]

    def choice_codes(self) -> set[str]:
        return {c.code for c in self.choices}


@dataclass(frozen=True)
class Scale:
    min: int
    max: int
    labels: dict[int, Text]
    dont_know: Text

    @property
    def points(self) -> list[int]:
        return list(range(self.min, self.max + 1))

    def reverse(self, value: int) -> int:
        return self.min + self.max - value


#: How a statement of a new version relates to the one it replaces in the version before.
MEANINGS = ("same", "changed")


@dataclass(frozen=True)
class Replacement:
    """`replaces:` of a statement: the earlier version's statement it takes over from, and
    whether the meaning is unchanged (same code, compared across rounds) or changed (a new
    code, never compared with the old one)."""

    item: str
    meaning: str

    @property
    def comparable(self) -> bool:
        return self.meaning == "same"


@dataclass(frozen=True)
class Item:
    code: str
    text: Text
    reverse: bool = False
    replaces: Replacement | None = None
    #: "statement", or the level question's "now" / "want" (not part of any score).
    kind: str = "statement"


#: Within this distance a score counts as lying exactly between two described levels.
_LEVEL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Level:
    point: int
    text: Text


@dataclass(frozen=True)
class Dimension:
    code: str
    group: str
    name: Text
    description: Text
    items: tuple[Item, ...]
    #: What a score looks like in practice at some points of the scale (e.g. 1, 3 and 5).
    levels: tuple[Level, ...] = ()
    #: The level question asked twice (now, in two years), when the questionnaire has one.
    level_items: tuple[Item, ...] = ()

    def answerable(self) -> tuple[Item, ...]:
        """What the dimension's page asks: its statements, then its level questions."""
        return self.items + self.level_items

    def level_for(self, score: float | None) -> Level | None:
        """The described level nearest to a score; exactly between two, the lower one (a
        level is not claimed before the score is past the midpoint towards it)."""
        if score is None or not self.levels:
            return None
        best: Level | None = None
        for level in sorted(self.levels, key=lambda lv: lv.point):
            distance = abs(score - level.point)
            if best is None or distance < abs(score - best.point) - _LEVEL_TOLERANCE:
                best = level
        return best


@dataclass(frozen=True)
class ReportGroup:
    """Background choices reported together (e.g. board, preparatory group and the
    förbund's office as "governance and management"), so that more groups reach k."""

    code: str
    label: Text
    choices: tuple[str, ...]


@dataclass(frozen=True)
class LevelQuestion:
    """`level_question:` of a file: asked per dimension on its level descriptions 1–5."""

    now: Text
    want: Text

    def text(self, kind: str) -> Text:
        return self.now if kind == "now" else self.want


@dataclass(frozen=True)
class Questionnaire:
    key: str
    version: int
    languages: tuple[str, ...]
    title: Text
    intro: Text
    scale: Scale
    background: tuple[BackgroundQuestion, ...]
    dimensions: tuple[Dimension, ...]
    #: The instruction above the statements, when the file gives one (else the app's own).
    question: Text = field(default_factory=dict)
    #: Merged choices for reporting, per background question ("role", "agency").
    report_groups: dict[str, tuple[ReportGroup, ...]] = field(default_factory=dict)
    #: Current and desired level per dimension (version 3 on); None: not asked.
    level_question: LevelQuestion | None = None
    #: The file's data as parsed, kept so the database can store exactly what was validated.
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def minutes(self) -> int:
        """About how long answering takes: the figure the introduction gives respondents
        ("ungefär 10 minuter"), so the e-mails say what the start page says; where it gives
        none, a quarter of a minute per statement."""
        for text in self.intro.values():
            found = MINUTES_RE.search(text)
            if found:
                return int(found.group(1))
        return max(1, -(-len(self.items()) // 4))

    def background_question(self, code: str) -> BackgroundQuestion | None:
        return next((b for b in self.background if b.code == code), None)

    def items(self) -> list[Item]:
        return [item for dim in self.dimensions for item in dim.items]

    def dimension(self, code: str) -> Dimension:
        return next(d for d in self.dimensions if d.code == code)

    def group_of(self, question: str) -> dict[str, str]:
        """Each merged choice of a background question -> the code of its report group."""
        return {c: g.code for g in self.report_groups.get(question, ()) for c in g.choices}

    def reporting_labels(self, question: str, lang: str) -> list[tuple[str, str]]:
        """(code, label) of what results by this question show: the choices, with merged
        ones replaced by their group at the place of the group's first choice."""
        found = self.background_question(question)
        if found is None:
            return []
        groups = {g.code: g for g in self.report_groups.get(question, ())}
        merged = self.group_of(question)
        result: list[tuple[str, str]] = []
        for choice in found.choices:
            code = merged.get(choice.code, choice.code)
            label = groups[code].label if code in groups else choice.label
            if all(code != seen for seen, _ in result):
                result.append((code, label.get(lang) or label["sv"]))
        return result
