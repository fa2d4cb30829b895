"""Checking a table against the questionnaire: every fault with its row and column and
what was expected. Nothing is dropped silently: an unknown column, a value outside the
scale, an unknown role or agency, a missing required answer, a row given twice (the same
id, or the same answers throughout) are each a fault."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from survey.exports import codebook
from survey.i18n import N_
from survey.imports.faults import Fault
from survey.imports.sources import Table
from survey.instruments.questionnaire import REQUIRED_BACKGROUND, Questionnaire

#: Other names of our background columns: the research file's Swedish ones.
ALIASES = {codebook.ROLE: "role", codebook.AGENCY: "agency"}
#: Columns of our own exports that an import reads past (the research CSV's and the round
#: export's head); dimension scores (`…_medel`) are computed again, never read.
IGNORED = {codebook.ROUND, codebook.ASSOCIATION, codebook.ASSOCIATION_NAME, codebook.DEMO}
#: A row's own id, in our exports or LimeSurvey's: used only to find a row given twice.
ID_COLUMNS = (codebook.ID, "id")
LANGUAGE = "language"
DONT_KNOW_WORDS = {"vet ej", "vet inte", "don't know", "dont know"}


@dataclass(frozen=True)
class ParsedRow:
    """One respondent as the file gives it, in our codes; `answers` maps a statement or
    level code to 1–5, or None for "vet ej" (a statement left empty is not answered)."""

    row: int
    role: str | None
    agency: str | None
    years: str | None
    language: str
    answers: tuple[tuple[str, int | None], ...]


@dataclass
class Checked:
    rows: list[ParsedRow] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    invalid_rows: list[int] = field(default_factory=list)


def statement_columns(q: Questionnaire) -> dict[str, str]:
    """Heading → item code: each statement and level code, and the research file's names
    of the level columns (STRAT_niva_nu)."""
    found = {}
    for item in codebook.exported_items(q):
        found[item.code] = item.code
        found[codebook.column(item)] = item.code
    return found


def check(table: Table, q: Questionnaire, progress: Callable[[int], None] | None = None) -> Checked:
    result = Checked()
    statements = statement_columns(q)
    columns = _columns(table.header, q, statements, result.faults)  # unknown ones: None
    readers = _readers(q, statements)
    seen_ids: dict[str, int] = {}
    seen_rows: dict[tuple, int] = {}
    for done, (number, cells) in enumerate(table.rows, 1):
        faults = _row_faults(number, cells, table.header)
        values: dict[str, object] = {}
        for position, (heading, meaning) in enumerate(columns):
            cell = cells[position] if position < len(cells) else ""
            if meaning in ("", None):
                continue
            if meaning == "id":
                _duplicate(seen_ids, cell, number, heading, faults) if cell else None
                continue
            value, fault = readers[meaning](cell)
            if fault:
                faults.append(Fault(number, heading, fault[0], fault[1]))
            else:
                values[meaning] = value
        row = _parsed(number, values, statements)
        if row.answers:
            key = (row.role, row.agency, row.years, row.answers)
            _duplicate(seen_rows, key, number, "", faults)
        if faults:
            result.faults.extend(faults)
            result.invalid_rows.append(number)
        else:
            result.rows.append(row)
        if progress and done % 500 == 0:
            progress(500)
    if progress and len(table.rows) % 500:
        progress(len(table.rows) % 500)
    return result


def _columns(
    header: list[str], q: Questionnaire, statements: dict[str, str], faults: list[Fault]
) -> list[tuple[str, str | None]]:
    """Each heading → what it holds: a statement code, a background code, "id", or None
    (read past). Unknown and repeated headings and missing required columns are faults."""
    background = {b.code for b in q.background}
    meanings: list[tuple[str, str | None]] = []
    used: set[str] = set()
    for heading in header:
        name = ALIASES.get(heading, heading)
        if name in statements:
            meaning: str | None = statements[name]
        elif name in background or name == LANGUAGE:
            meaning = name
        elif name in ID_COLUMNS:
            meaning = "id"
        elif name in IGNORED or name.endswith(codebook.SCORE_SUFFIX):
            meaning = None
        else:
            faults.append(
                Fault(
                    1,
                    heading,
                    N_(
                        "unknown column '%(heading)s': expected a statement code of %(key)s "
                        "version %(version)s (e.g. %(example)s), role, agency, years or language"
                    ),
                    {
                        "heading": heading,
                        "key": q.key,
                        "version": q.version,
                        "example": q.items()[0].code,
                    },
                )
            )
            meanings.append((heading, None))  # read past, so the columns stay in place
            continue
        if meaning is not None and meaning in used:
            faults.append(
                Fault(
                    1, heading, N_("the column '%(heading)s' is given twice"), {"heading": heading}
                )
            )
        if meaning is not None:
            used.add(meaning)
        meanings.append((heading, meaning))
    for required in REQUIRED_BACKGROUND:
        if required not in used:
            faults.append(
                Fault(1, required, N_("the column '%(code)s' is missing"), {"code": required})
            )
    if not used & set(statements.values()):
        faults.append(Fault(1, "", N_("no column holds a statement of this questionnaire")))
    return meanings


Reader = Callable[[str], tuple[object, tuple[str, dict] | None]]


def _readers(q: Questionnaire, statements: dict[str, str]) -> dict[str, Reader]:
    readers: dict[str, Reader] = {}
    dont_know = DONT_KNOW_WORDS | {t.lower() for t in q.scale.dont_know.values()}
    low, high = q.scale.min, q.scale.max

    def value(cell: str) -> tuple[object, tuple[str, dict] | None]:
        if not cell:
            return "", None
        if cell.lower() in dont_know:
            return None, None
        text = cell[:-2] if cell.endswith(".0") else cell
        if text.isdigit() and low <= int(text) <= high:
            return int(text), None
        return None, (
            N_(
                "'%(value)s' is outside the scale: expected %(low)s–%(high)s, 'vet ej' or an "
                "empty cell"
            ),
            {"value": cell[:40], "low": low, "high": high},
        )

    for code in statements.values():
        readers[code] = value
    for question in q.background:
        readers[question.code] = _choice_reader(
            question.code, [c.code for c in question.choices], question.code in REQUIRED_BACKGROUND
        )
    readers[LANGUAGE] = _choice_reader(LANGUAGE, list(q.languages), False)
    return readers


def _choice_reader(code: str, choices: list[str], required: bool) -> Reader:
    def read(cell: str) -> tuple[object, tuple[str, dict] | None]:
        if not cell:
            if required:
                return None, (
                    N_("%(code)s is missing: expected one of %(choices)s"),
                    {"code": code, "choices": ", ".join(choices)},
                )
            return None, None
        if cell in choices:
            return cell, None
        return None, (
            N_("unknown %(code)s '%(value)s': expected one of %(choices)s"),
            {"code": code, "value": cell[:40], "choices": ", ".join(choices)},
        )

    return read


def _row_faults(number: int, cells: list[str], header: list[str]) -> list[Fault]:
    if len(cells) > len(header) and any(cells[len(header) :]):
        return [
            Fault(
                number,
                "",
                N_("the row has %(n)s cells but the heading row %(m)s"),
                {"n": len(cells), "m": len(header)},
            )
        ]
    return []


def _duplicate(seen: dict, key: object, number: int, column: str, faults: list[Fault]) -> None:
    first = seen.setdefault(key, number)
    if first != number:
        faults.append(
            Fault(
                number, column, N_("a duplicate row: the same as row %(first)s"), {"first": first}
            )
        )


def _parsed(number: int, values: dict[str, object], statements: dict[str, str]) -> ParsedRow:
    codes = set(statements.values())
    answers = tuple(
        sorted((code, v) for code, v in values.items() if code in codes and v != "")  # type: ignore[misc]
    )
    return ParsedRow(
        row=number,
        role=values.get("role") or None,  # type: ignore[arg-type]
        agency=values.get("agency") or None,  # type: ignore[arg-type]
        years=values.get("years") or None,  # type: ignore[arg-type]
        language=str(values.get(LANGUAGE) or "sv"),
        answers=answers,  # type: ignore[arg-type]
    )
