"""A mapping file (YAML) from another tool's column headings and answers to ours, e.g. a
LimeSurvey response export: its question codes become our statement codes, its answer
codes or full answer texts our values. Read with the questionnaire files' safe YAML reader
(size limit, no anchors or aliases, no duplicate keys).

    ignore: [id, submitdate, lastpage, startlanguage, seed]   # their columns to leave out
    columns:                       # their heading: our code (statement, role, agency, years)
      "STRAT[SQ001]": STRAT.1
      roll: role
    answers:                       # per our column, or `statements` for every statement
      statements: {A1: 1, A2: 2, A3: 3, A4: 4, A5: 5, "Vet ej": dont_know}
      role: {"Handläggare": handlaggare}

A cell whose text the mapping does not name is passed on unchanged (so a file may already
hold our codes), and validation then names it if it is not one of ours.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any

from survey.i18n import N_
from survey.imports.faults import Fault, FileRefused
from survey.imports.sources import Table
from survey.instruments.yaml_reading import ReadingError, check_size, read_yaml

#: How a mapping file names "vet ej" (don't know) as the value of an answer.
DONT_KNOW = "dont_know"
#: The `answers:` key that applies to every statement and level column.
STATEMENTS = "statements"


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    answers: dict[str, dict[str, str]] = field(default_factory=dict)

    def apply(self, table: Table, statement_codes: set[str]) -> Table:
        """The table with its headings and answers in our codes; ignored columns gone."""
        keep = [i for i, h in enumerate(table.header) if h not in self.ignore]
        header = [self.columns.get(table.header[i], table.header[i]) for i in keep]
        tables = [
            self.answers.get(h) or (self.answers.get(STATEMENTS) if h in statement_codes else None)
            for h in header
        ]
        rows = []
        for number, cells in table.rows:
            kept = [cells[i] if i < len(cells) else "" for i in keep]
            extra = cells[len(table.header) :]
            mapped = [t.get(c, c) if t else c for t, c in zip(tables, kept, strict=True)]
            rows.append((number, mapped + extra))
        return Table(header, rows)


def _mapping_fault(template: str, **values: object) -> FileRefused:
    return FileRefused(Fault(None, "mapping", template, dict(values)))


def read_mapping(data: bytes) -> Mapping:
    """The mapping in a YAML file; FileRefused naming the fault."""
    try:
        check_size(data)
        raw = read_yaml(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _mapping_fault(N_("the mapping file is not UTF-8")) from None
    except ReadingError as exc:
        raise _mapping_fault(
            N_("the mapping file: %(where)s: %(reason)s"),
            where=exc.fault.path,
            reason=exc.fault.template % exc.fault.values
            if exc.fault.values
            else exc.fault.template,
        ) from None
    if not isinstance(raw, MappingType):
        raise _mapping_fault(N_("the mapping file must hold `columns:`, `answers:` or `ignore:`"))
    unknown = set(raw) - {"columns", "answers", "ignore"}
    if unknown:
        raise _mapping_fault(
            N_("the mapping file has unknown keys: %(keys)s (expected columns, answers, ignore)"),
            keys=", ".join(sorted(map(str, unknown))),
        )
    columns = _text_map(raw.get("columns") or {}, "columns")
    ignore = raw.get("ignore") or []
    if not isinstance(ignore, list):
        raise _mapping_fault(N_("`ignore:` in the mapping file must be a list of headings"))
    answers_raw = raw.get("answers") or {}
    if not isinstance(answers_raw, MappingType):
        raise _mapping_fault(N_("`answers:` in the mapping file must map columns to answers"))
    answers = {str(k): _text_map(v, f"answers: {k}") for k, v in answers_raw.items()}
    return Mapping(columns, frozenset(str(i) for i in ignore), answers)


def _text_map(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, MappingType):
        raise _mapping_fault(N_("`%(where)s` in the mapping file must be a mapping"), where=where)
    return {str(k).strip(): _our_value(v) for k, v in value.items()}


def _our_value(value: Any) -> str:
    if value == DONT_KNOW:
        return "vet ej"
    return "" if value is None else str(value)
