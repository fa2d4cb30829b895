"""A questionnaire as plain, validated data: scale, background questions, dimensions and
their statements. `loading` makes these from YAML files; nothing here reads a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("sv", "en")
GROUPS = ("strategy", "structural", "cultural", "individual", "outcomes")
#: Background questions the app knows how to store and break results down by.
BACKGROUND_CODES = ("role", "agency", "years")
REQUIRED_BACKGROUND = ("role", "agency")
SCALE_MIN, SCALE_MAX = 1, 5


Text = dict[str, str]  # language code -> text


@dataclass(frozen=True)
class Fault:
    path: str
    message: str


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


@dataclass(frozen=True)
class Item:
    code: str
    text: Text
    reverse: bool = False


@dataclass(frozen=True)
class Dimension:
    code: str
    group: str
    name: Text
    description: Text
    items: tuple[Item, ...]


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
    #: The file's data as parsed, kept so the database can store exactly what was validated.
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def background_question(self, code: str) -> BackgroundQuestion | None:
        return next((b for b in self.background if b.code == code), None)

    def items(self) -> list[Item]:
        return [item for dim in self.dimensions for item in dim.items]

    def dimension(self, code: str) -> Dimension:
        return next(d for d in self.dimensions if d.code == code)
