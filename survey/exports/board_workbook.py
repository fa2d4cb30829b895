"""The board's Excel file: aggregates only, suppressed exactly as on the pages (it is built
from `overview.round_overview`, the same rows the dashboard shows), with a native Excel radar
chart per förbund so the file can be forwarded and opened anywhere. No Flask here."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import RadarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session

from survey.db import models
from survey.disclosure import (
    DEFAULT_REFERENCE_ASSOCIATIONS,
    effective_k,
    effective_reference_minimum,
    too_few,
)
from survey.exports.maturity_sheets import write_actions_sheet, write_agreed_sheet
from survey.exports.selection import Selection
from survey.exports.worksheets import bold_row, header_sheet, print_setup, safe, wrapped
from survey.i18n import translate, translate_in_context
from survey.results import colours, overview
from survey.results.rounding import rounded
from survey.rounds import lifecycle

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")


def write_board_workbook(
    session: Session,
    selection: Selection,
    out: IO[bytes],
    *,
    k: int,
    lang: str,
    now: dt.datetime | None = None,
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> None:
    """`Översikt` (every selected förbund × round × dimension), one sheet per förbund with
    its trend and a radar chart of its latest selected round against the national reference,
    and `Om exporten`."""
    k = effective_k(k)
    wb = Workbook(write_only=True)
    sheet_names = translate(lang, "Overview"), translate(lang, "About")
    # Wide enough for the longest förbund name (up to a point, then it wraps) and for
    # "för få svar (n < 5)" in the mean's column: a printed cell is cut at its column.
    names = max((len(r.association_name) for r in selection.rounds), default=0)
    widths = [min(max(34, names + 2), 60), 10, 32, 8, 14, _TEXT_WIDTH, 18, 18, 20]
    summary_ws = header_sheet(wb, sheet_names[0], _header(lang), widths, True)
    taken = {name.lower() for name in sheet_names}
    cache: dict[int, overview.RoundOverview] = {}

    def overview_of(rnd: models.Round) -> overview.RoundOverview:
        if rnd.id not in cache:
            cache[rnd.id] = overview.round_overview(
                session, rnd, k, lang, reference_minimum=reference_minimum
            )
        return cache[rnd.id]

    suppressed = too_few(lang, k)
    minimum = effective_reference_minimum(reference_minimum)
    no_reference = _no_reference(lang, minimum)
    latest: dict[str, models.Round] = {}
    for selected in sorted(selection.rounds, key=lambda r: (r.association_name, r.sequence)):
        rnd = session.get(models.Round, selected.id)
        latest[selected.association_slug] = rnd
        for row in overview_of(rnd).rows:
            name = wrapped(summary_ws, selected.association_name)  # a cell per row
            why = wrapped(summary_ws, no_reference)  # wraps in the reference's column
            cells = _summary_cells(name, rnd.label, row, suppressed, why)
            summary_ws.append(_figures(summary_ws, cells))
    for rnd in latest.values():
        association = rnd.association
        # The pages' trend: published rounds up to this one with the same instrument (an
        # open round here gave one submit away between two downloads).
        trend = lifecycle.history_of(session, rnd).earlier
        ws = wb.create_sheet(_sheet_name(association.name, taken))
        print_setup(ws, title_rows=_TREND_HEADER)
        sheet = [overview_of(r) for r in trend]
        _association_sheet(ws, association.name, sheet, lang, k, no_reference)
    write_agreed_sheet(wb, session, list(latest.values()), lang)
    today = (now or dt.datetime.now(dt.UTC)).date()
    write_actions_sheet(wb, session, list(latest.values()), today, lang)
    about = header_sheet(
        wb, sheet_names[1], (translate(lang, "Item"), translate(lang, "Value")), [28, 120], True
    )
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for row in _about_rows(lang, k, stamp, minimum):
        about.append(safe(about, row))
    wb.save(out)


def _summary_cells(
    name: object, label: str, row: overview.DimensionRow, suppressed: str, no_reference: object
) -> list[object]:
    """One row of `Översikt`: a suppressed mean says so, a missing reference says why."""
    return [
        name,
        label,
        row.name,
        row.code,
        row.n,
        suppressed if row.suppressed else row.mean,
        None if row.suppressed else row.sd,
        no_reference if row.national_mean is None else row.national_mean,
        row.national_associations,
    ]


def _header(lang: str) -> tuple[str, ...]:
    # In context (a literal, for the extraction): the file's narrow column says "Förbund"
    # where the pages say "Samordningsförbund"; the reference is "Riksreferens" in both.
    return (
        translate_in_context(lang, "board workbook", "Coordination association"),
        translate(lang, "Round"),
        translate(lang, "Dimension"),
        translate(lang, "Code"),
        translate(lang, "Responses (n)"),
        translate(lang, "Mean"),
        translate(lang, "Standard deviation"),
        translate(lang, "National reference"),
        translate(lang, "Associations in the reference"),
    )


def _about_rows(lang: str, k: int, stamp: str, minimum: int) -> list[tuple[str, str]]:
    return [
        (
            translate(lang, "Contents"),
            translate(lang, "Aggregates per association, round and dimension; no single answers."),
        ),
        (translate(lang, "Minimum group size k"), str(k)),
        (
            translate(lang, "Suppression"),
            translate(
                lang,
                "A group with fewer than k answers shows “too few answers” and no mean, "
                "exactly as on the web pages.",
            ),
        ),
        (
            translate(lang, "National reference"),
            translate(
                lang,
                "The mean of the associations' means in rounds with the same name and "
                "questionnaire; each association weighs the same, and only associations "
                "that are shown themselves (n ≥ k) count.",
            ),
        ),
        (
            translate(lang, "Associations in the reference"),
            translate(
                lang,
                "At least %(n)s: with fewer there is no national reference yet (one "
                "association's reference would be itself; of two, each could work out the "
                "other's figures).",
                n=minimum,
            ),
        ),
        (
            translate(lang, "Rounds"),
            translate(
                lang,
                "Published rounds only: a round that is open, or closed but not published, "
                "is in no sheet.",
            ),
        ),
        (
            translate(lang, "Scores"),
            translate(lang, "1–5; reverse statements recoded (6 − x); don't know is not counted."),
        ),
        (translate(lang, "Export time (UTC)"), stamp),
    ]


def _no_reference(lang: str, minimum: int) -> str:
    return translate(lang, "no national reference yet (fewer than %(n)s associations)", n=minimum)


def _association_sheet(
    ws: WriteOnlyWorksheet,
    name: str,
    trend: Sequence[overview.RoundOverview],
    lang: str,
    k: int,
    no_reference: str,
) -> None:
    """The trend table (means and n per round), then the chart's data and the radar chart."""
    ws.column_dimensions["A"].width = 34
    for index in range(len(trend) + 1):  # each round's mean and n, then the reference
        ws.column_dimensions[get_column_letter(2 + 2 * index)].width = _TEXT_WIDTH
        ws.column_dimensions[get_column_letter(3 + 2 * index)].width = 8
    current = trend[-1]
    suppressed = too_few(lang, k)
    dimension = translate(lang, "Dimension")
    national = translate(lang, "National reference %(label)s", label=current.round_label)
    ws.append(bold_row(ws, [name]))
    note = translate(
        lang,
        "Mean per dimension and round (1–5). Groups with fewer than %(k)s answers are not shown.",
        k=k,
    )
    ws.append(safe(ws, [note]))
    ws.append([])
    header = [dimension]
    for ov in trend:
        header += [ov.round_label, "n"]
    header.append(national)
    ws.append(bold_row(ws, header, wrap=True))
    by_round = [{row.code: row for row in ov.rows} for ov in trend]
    for row in current.rows:
        cells: list[object] = [row.name]
        for rows in by_round:
            past = rows.get(row.code)
            if past is None:
                cells += [None, None]
            else:
                cells += [suppressed if past.suppressed else past.mean, past.n]
        figures = _figures(ws, cells)
        # No reference: the sentence saying why wraps inside the reference's column.
        figures.append(wrapped(ws, no_reference) if row.national_mean is None else None)
        if row.national_mean is not None:
            figures[-1:] = _figures(ws, [row.national_mean])
        ws.append(figures)
    ws.append([])
    caption = translate(
        lang,
        "Chart data, round %(label)s (empty cell = too few answers)",
        label=current.round_label,
    )
    ws.append(bold_row(ws, [caption]))
    data_header = 7 + len(current.rows)  # title, note, blank, header, rows, blank, caption
    ws.append(bold_row(ws, [dimension, f"{name} {current.round_label}", national]))
    for row in current.rows:
        # Suppressed points are empty cells (a gap in the chart), never zero.
        ws.append(_figures(ws, [row.name, None if row.suppressed else row.mean, row.national_mean]))
    title = translate(lang, "%(name)s, round %(label)s", name=name, label=current.round_label)
    chart = _radar_chart(ws, title, data_header, len(current.rows))
    ws.add_chart(chart, f"{get_column_letter(len(header) + 2)}4")


def _radar_chart(ws: WriteOnlyWorksheet, title: str, data_header: int, rows: int) -> RadarChart:
    """The förbund (column B) against the national reference (C, dashed) per dimension (A),
    from the data rows below `data_header`."""
    first, last = data_header + 1, data_header + rows
    chart = RadarChart()
    chart.type = "marker"
    chart.title = title
    chart.add_data(
        Reference(ws, min_col=2, max_col=3, min_row=data_header, max_row=last),
        titles_from_data=True,
    )
    categories = Reference(ws, min_col=1, min_row=first, max_row=last)
    for series in chart.series:  # dimension names are text: a string reference, not numbers
        series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    # The colours of the pages' charts (survey.results.colours): our förbund, the reference.
    for series, colour, symbol in zip(
        chart.series, (colours.OWN, colours.NATIONAL), ("circle", "diamond"), strict=True
    ):
        series.graphicalProperties.line.solidFill = colours.excel(colour)
        series.marker = Marker(symbol=symbol, size=7)
        series.marker.graphicalProperties = GraphicalProperties(
            solidFill=colours.excel(colour), ln=LineProperties(solidFill=colours.excel(colour))
        )
    national = chart.series[1].graphicalProperties.line
    national.dashStyle, national.width = "dash", 19050
    chart.y_axis.scaling.min = 1
    chart.y_axis.scaling.max = 5
    chart.y_axis.majorUnit = 1
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.display_blanks = "gap"
    chart.width, chart.height = 20, 14  # cm
    chart.legend.position = "b"
    return chart


#: Columns that may say "för få svar (n < 5)" / "too few answers (n < 5)", in full.
_TEXT_WIDTH = 22
#: The trend table's heading row on a förbund's sheet (title, note, blank line, heading).
_TREND_HEADER = "4:4"


def _figures(ws: WriteOnlyWorksheet, values: Sequence[object]) -> list[object]:
    """Means with two decimals rounded exactly as the pages round them (half away from
    zero, survey.results.rounding): the cell holds the figure the pages show, so no
    spreadsheet's own rounding of binary noise can make it differ."""
    cells = []
    for value in safe(ws, values):
        if isinstance(value, float):
            cell = WriteOnlyCell(ws, value=rounded(value))
            cell.number_format = "0.00"
            value = cell
        cells.append(value)
    return cells


def _sheet_name(name: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ or control characters, no
    apostrophe first or last, unique ignoring case. A long name is shortened at a word
    boundary ("Norrsunds samordningsförbund", never "… (d"); where that is taken, middle
    words give way to the last one ("Norrsunds (dalarna)"), and only then " (2)", " (3)" …
    follow as many whole words as fit. A sheet name is never run as a formula, so it is
    not neutralised (a leading quote would make the file invalid)."""
    cleaned = " ".join(_SHEET_FORBIDDEN.sub(" ", name).split()).strip(" '") or "Förbund"
    words = cleaned.split()
    tried = itertools.chain(
        [_whole_words(cleaned, 31)],
        (" ".join(words[:i] + words[-1:]) for i in range(len(words) - 2, 0, -1)),
        (_whole_words(cleaned, 31 - len(f" ({n})")) + f" ({n})" for n in itertools.count(2)),
    )
    candidate = next(c for c in tried if len(c) <= 31 and c.lower() not in taken)
    taken.add(candidate.lower())
    return candidate


def _whole_words(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters after its last whole word that fits (a
    first word longer than the limit is cut, as nothing else would fit)."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" '(-–,") if " " in text[: limit + 1] else ""
    return (cut or text[:limit]).rstrip(" '")
