"""A fault in an imported file: where (row and column), what was found, what was expected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from survey.i18n import translate


@dataclass(frozen=True)
class Fault:
    """`row` is the file's row number as a spreadsheet shows it (1 is the heading row),
    None for the file as a whole; `column` is the heading ("" when none). `template` is an
    English msgid with %(name)s placeholders (marked with N_ where it is made)."""

    row: int | None
    column: str
    template: str
    values: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return translate(lang, self.template, **self.values)

    def where(self) -> str:
        place = [f"row {self.row}"] if self.row is not None else []
        if self.column:
            place.append(f"column {self.column}")
        return ", ".join(place) or "file"


class FileRefused(Exception):
    """The file cannot be read as a table at all (empty, too large, wrong encoding, not what
    its name says); `fault` says why. The service turns it into the report's one fault."""

    def __init__(self, fault: Fault):
        super().__init__(fault.template % fault.values if fault.values else fault.template)
        self.fault = fault
