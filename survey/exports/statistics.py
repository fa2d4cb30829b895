"""The researcher's dataset for statistics packages: SPSS (.sav) and Stata (.dta) through
pyreadstat, and an R route (a CSV of the same codes with a script that applies the labels).
No Flask here.

The variables are those of `Svar`, typed and labelled for the package rather than for a
spreadsheet:
- statements are numeric 1–5 with value labels; "vet ej" and "not answered" stay apart as
  declared missing values: 8 and 9, user-missing in SPSS; `.a` and `.b` in Stata;
- förbund, role and agency are numeric codes with value labels (the codebook's codes:
  the questionnaire's choices in their order, then its report groups, then `ovrig`, then
  anything else seen);
- variable labels are the statement texts (Swedish or English by choice), prefixed with
  the dimension and, for a reverse statement, a reverse mark: "[STRAT, omvänd] …";
- SPSS measurement levels: statements ordinal, background nominal, dimension scores scale.

Columns are collected in compact arrays during the export's single pass (one byte per
statement and response, texts as numbers into a list of the distinct texts); the package's
Parquet files are cut from them every few thousand responses (survey.exports.columnar),
and then they are appended to files on disk (`spill`), so the export's process holds a few
thousand rows whatever the selection (130,000 × 50 held in memory took 20 MB). The files
are written from those column files by survey.exports.statistics_writer, for a large export
in a process of its own.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from pathlib import Path

from survey.exports import codebook
from survey.exports.dataset import Export, ResponseRecord
from survey.exports.statistics_writer import (
    DATA_FOR_R,
    DONT_KNOW,
    HEAD,
    NOT_ANSWERED,
    SCORE,
    STATA_MISSING,
    STATEMENT,
    TEXT,
    Column,
    StatisticsFiles,
)
from survey.i18n import N_, translate

DONT_KNOW_LABEL = N_("don't know")
NOT_ANSWERED_LABEL = N_("not answered")
REVERSED = N_("reversed")
STATA_LABEL_LENGTH = 80  # Stata's limit for a variable label
CODED = (codebook.ASSOCIATION, codebook.ROLE, codebook.AGENCY)


VALUE_LABEL_BYTES = 120  # SPSS's limit on a value label, in UTF-8 bytes


class Texts:
    """A column of texts as numbers into the list of its distinct texts: a round label or
    a förbund's name repeats on every row, and one str object per row (as the database
    hands them over) took more memory than all the statements' codes."""

    def __init__(self) -> None:
        self.codes = array("i")
        self.texts: list[str] = []
        self._index: dict[str, int] = {}

    def append(self, text: str) -> None:
        code = self._index.get(text)
        if code is None:
            code = self._index[text] = len(self.texts)
            self.texts.append(text)
        self.codes.append(code)


def _short(text: str) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= VALUE_LABEL_BYTES:
        return text
    return raw[: VALUE_LABEL_BYTES - 3].decode("utf-8", errors="ignore") + "…"


class CodedColumns:
    """The wide form as columns of codes, filled one record at a time; the arrays hold the
    rows added since the last `spill`, which appends them to a file per column in
    `folder`."""

    def __init__(self, export: Export, folder: Path, lang: str = "sv") -> None:
        q = export.q
        self.export, self.lang, self.q = export, lang, q
        self.folder, self.rows = folder, 0
        folder.mkdir(exist_ok=True)
        self.items = codebook.exported_items(q)
        self.scores_names = [codebook.score_column(d.code) for d in q.dimensions]
        self.codes: dict[str, dict[str | None, int]] = {}
        self.labels: dict[str, dict[int, str]] = {}
        associations = export.selection.associations
        self._codes(codebook.ASSOCIATION, [(s, n) for s, n in associations.items()])
        for name, key in ((codebook.ROLE, "role"), (codebook.AGENCY, "agency")):
            question = q.background_question(key)
            choices = [(c.code, c.label[lang]) for c in question.choices] if question else []
            # A recoded file may merge a rare choice into its report group (recoding.plan).
            groups = [(g.code, g.label[lang]) for g in q.report_groups.get(key, ())]
            self._codes(name, [*choices, *groups])
        self.ids = array("q")
        self.rounds = Texts()
        self.names = Texts()
        self.coded = {name: array("h") for name in CODED}
        self.demo = array("b")
        self.values = [array("b") for _ in self.items]
        self.scores = [array("d") for _ in q.dimensions]

    def _codes(self, name: str, pairs: Iterable[tuple[str, str]]) -> None:
        pairs = [*pairs, (codebook.OTHER, codebook.OTHER_LABEL[self.lang])]
        self.codes[name] = {code: n for n, (code, _label) in enumerate(pairs, 1)}
        self.labels[name] = {n: label for n, (_code, label) in enumerate(pairs, 1)}

    def texts_of(self, name: str) -> list[str | None]:
        """The texts of a coded column by number (0 and any unused number: None)."""
        texts: list[str | None] = [None] * (len(self.codes[name]) + 1)
        for text, n in self.codes[name].items():
            texts[n] = text
        return texts

    def _code(self, name: str, value: str | None) -> int:
        """The number of a code; -1 (system missing) for not answered; a code the
        questionnaire does not list gets the next number, labelled with itself."""
        if value is None:
            return -1
        codes = self.codes[name]
        if value not in codes:
            codes[value] = len(codes) + 1
            self.labels[name][codes[value]] = value
        return codes[value]

    def add(self, record: ResponseRecord) -> None:
        response_id, label, slug, name, role, agency, demo = record.head
        self.rows += 1
        self.ids.append(response_id)
        self.rounds.append(label)
        self.names.append(name)
        for column, value in zip(CODED, (slug, role, agency), strict=True):
            self.coded[column].append(self._code(column, value))
        self.demo.append(demo)
        for column, value, answered in zip(
            self.values, record.values, record.answered, strict=True
        ):
            column.append(value if value is not None else DONT_KNOW if answered else NOT_ANSWERED)
        for column, score in zip(self.scores, record.scores, strict=True):
            column.append(float("nan") if score is None else score)

    def _columns(self) -> list[tuple[Column, array]]:
        """Every column of the wide form in its order, with the array of its codes."""
        head = [(codebook.ID, self.ids), *((name, self.coded[name]) for name in CODED)]
        head.append((codebook.DEMO, self.demo))
        columns = [(Column(name, HEAD, codes.typecode), codes) for name, codes in head]
        for position, name, texts in (
            (1, codebook.ROUND, self.rounds),
            (3, codebook.ASSOCIATION_NAME, self.names),
        ):
            columns.insert(position, (Column(name, TEXT, "i", texts.texts), texts.codes))
        columns += [
            (Column(codebook.column(item), STATEMENT, "b"), codes)
            for item, codes in zip(self.items, self.values, strict=True)
        ]
        columns += [
            (Column(name, SCORE, "d"), codes)
            for name, codes in zip(self.scores_names, self.scores, strict=True)
        ]
        return columns

    def spill(self) -> None:
        """Appends the rows held to the column files and lets go of them."""
        for position, (_column, codes) in enumerate(self._columns()):
            with (self.folder / str(position)).open("ab") as fh:
                codes.tofile(fh)
            del codes[:]

    # --- the labels ---------------------------------------------------------------

    def variable_labels(self, limit: int | None = None) -> dict[str, str]:
        lang = self.lang
        labels = {
            v.name: v.label[lang]
            for v in codebook.variables(self.q, self.export.selection.associations)
            if v.sheet == "Svar"
        }
        for dim in self.q.dimensions:
            for item in dim.items:
                mark = f", {translate(lang, REVERSED)}" if item.reverse else ""
                labels[item.code] = f"[{dim.code}{mark}] {item.text[lang]}"
        if limit:
            labels = {k: v if len(v) <= limit else v[: limit - 1] + "…" for k, v in labels.items()}
        return labels

    def value_labels(self, stata: bool = False) -> dict[str, dict[object, str]]:
        scale = {p: self.q.scale.labels[p][self.lang] for p in self.q.scale.points}
        missing = {
            DONT_KNOW: translate(self.lang, DONT_KNOW_LABEL),
            NOT_ANSWERED: translate(self.lang, NOT_ANSWERED_LABEL),
        }
        if stata:
            missing = {STATA_MISSING[code]: text for code, text in missing.items()}
        labels: dict[str, dict[object, str]] = {
            codebook.column(item): {**scale, **missing} for item in self.q.items()
        }
        for dim in self.q.dimensions:  # level questions: the dimension's level descriptions
            levels = {lv.point: _short(lv.text[self.lang]) for lv in dim.levels}
            for item in dim.level_items:
                labels[codebook.column(item)] = {**(levels or scale), **missing}
        labels.update({name: dict(self.labels[name]) for name in CODED})
        labels[codebook.DEMO] = {0: translate(self.lang, "real answers"), 1: "demo"}
        return labels

    def measures(self) -> dict[str, str]:
        levels = {name: "nominal" for name in (codebook.ID, codebook.ROUND, *CODED)}
        levels.update({codebook.ASSOCIATION_NAME: "nominal", codebook.DEMO: "nominal"})
        levels.update({codebook.column(item): "ordinal" for item in self.items})
        levels.update({name: "scale" for name in self.scores_names})
        return levels

    def files(self) -> StatisticsFiles:
        """What the statistics files are written from, as plain data: the column files
        (once every row is spilled) and the labels."""
        sav = {
            "column_labels": self.variable_labels(),
            "variable_value_labels": self.value_labels(),
            "missing_ranges": {
                codebook.column(item): [DONT_KNOW, NOT_ANSWERED] for item in self.items
            },
            "variable_measure": self.measures(),
        }
        dta = {
            "column_labels": self.variable_labels(STATA_LABEL_LENGTH),
            "variable_value_labels": self.value_labels(stata=True),
            "missing_user_values": {codebook.column(item): ["a", "b"] for item in self.items},
        }
        columns = [column for column, _codes in self._columns()]
        return StatisticsFiles(
            self.folder, self.rows, columns, sav, dta, r_script(self, DATA_FOR_R)
        )


def r_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def r_script(columns: CodedColumns, data_name: str) -> str:
    """Base R only: factors for the coded variables, statements as numbers 1–5 with NA for
    8 and 9 and the reason kept in the attribute "na_reason", labels in "label"."""
    lines = [
        "# Reads " + data_name + " and applies the labels of the SPSS and Stata files.",
        "# Statements: 1-5; 8 = don't know and 9 = not answered become NA, the reason kept",
        '# in attr(x, "na_reason"). Variable labels are in attr(x, "label").',
        f'd <- read.csv({r_string(data_name)}, colClasses = c(omgang = "character"),'
        ' encoding = "UTF-8")',
    ]
    for name, labels in columns.value_labels().items():
        if name in CODED or name == codebook.DEMO:
            levels = ", ".join(str(code) for code in labels)
            names = ", ".join(r_string(text) for text in labels.values())
            lines.append(f"d${name} <- factor(d${name}, levels = c({levels}), labels = c({names}))")
    reasons = f"c(`{DONT_KNOW}` = {r_string(translate(columns.lang, DONT_KNOW_LABEL))}, " + (
        f"`{NOT_ANSWERED}` = {r_string(translate(columns.lang, NOT_ANSWERED_LABEL))})"
    )
    lines.append(f"reasons <- {reasons}")
    items = ", ".join(r_string(codebook.column(item)) for item in columns.items)
    lines += [
        f"for (v in c({items})) {{",
        "  raw <- d[[v]]",
        "  x <- ifelse(raw %in% c(8, 9), NA, raw)",
        '  attr(x, "na_reason") <- unname(reasons[as.character(raw)])',
        "  d[[v]] <- x",
        "}",
    ]
    for name, label in columns.variable_labels().items():
        lines.append(f'attr(d${name}, "label") <- {r_string(label)}')
    return "\n".join(lines) + "\n"
