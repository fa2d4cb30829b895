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
statement and response, texts as numbers into a list of the distinct texts), so 130,000
responses × 50 statements take about 20 MB; the package's Parquet files are cut from the
same arrays (survey.exports.columnar). The data frame pyreadstat needs is built as one
block of numbers without copies, one file at a time (see `StatisticsFiles.frame`).
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survey.exports import codebook
from survey.exports.dataset import Export, ResponseRecord
from survey.i18n import N_, translate

DONT_KNOW, NOT_ANSWERED = 8, 9
STATA_MISSING = {DONT_KNOW: "a", NOT_ANSWERED: "b"}
DONT_KNOW_LABEL = N_("don't know")
NOT_ANSWERED_LABEL = N_("not answered")
REVERSED = N_("reversed")
STATA_LABEL_LENGTH = 80  # Stata's limit for a variable label
CODED = (codebook.ASSOCIATION, codebook.ROLE, codebook.AGENCY)
DATA_FOR_R = "svar_koder.csv"
#: The files `write_files` writes.
FILES = ("svar.sav", "svar.dta", DATA_FOR_R, "svar.R")


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

    def __getstate__(self) -> tuple[array, list[str]]:
        return self.codes, self.texts  # sent to another process: the index is not needed

    def __setstate__(self, state: tuple[array, list[str]]) -> None:
        self.codes, self.texts = state
        self._index = {text: n for n, text in enumerate(self.texts)}

    def values(self) -> list[str]:
        texts = self.texts
        return [texts[code] for code in self.codes]  # shared str objects, not copies


def _short(text: str) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= VALUE_LABEL_BYTES:
        return text
    return raw[: VALUE_LABEL_BYTES - 3].decode("utf-8", errors="ignore") + "…"


class CodedColumns:
    """The wide form as columns of codes, filled one record at a time."""

    def __init__(self, export: Export, lang: str = "sv") -> None:
        q = export.q
        self.export, self.lang, self.q = export, lang, q
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
        """The columns and labels the statistics files are written from, as plain data."""
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
        return StatisticsFiles(
            self.ids,
            self.rounds,
            self.names,
            self.coded,
            self.demo,
            [codebook.column(item) for item in self.items],
            self.values,
            self.scores_names,
            self.scores,
            sav,
            dta,
            r_script(self, DATA_FOR_R),
        )


@dataclass
class StatisticsFiles:
    """What svar.sav, svar.dta, svar_koder.csv and svar.R are written from: plain,
    picklable data, so that another process can write them (survey.exports.package) while
    this one finishes the other files."""

    ids: array
    rounds: Texts
    names: Texts
    coded: dict[str, array]
    demo: array
    item_codes: list[str]
    values: list[array]
    score_names: list[str]
    scores: list[array]
    sav: dict[str, Any]  # pyreadstat.write_sav's labels, missing ranges and measures
    dta: dict[str, Any]  # pyreadstat.write_dta's labels and missing values
    r: str  # the R script

    def frame(self, stata: bool = False):
        """A pandas DataFrame of the codes (Stata: missing codes as the letters a and b).

        Built without copies: the numbers as one float block (pandas keeps a 2-D array as
        it is, where a dict of columns is consolidated into a copy), the two text columns
        inserted beside it; for Stata the statements as one block of objects (the letters
        and shared small ints). 130,000 × 50 takes about 60 MB, not 200."""
        import numpy as np
        import pandas as pd

        head = [codebook.ID, *CODED, codebook.DEMO]
        numbers = head + ([] if stata else self.item_codes) + self.score_names
        block = np.empty((len(numbers), len(self.ids)))
        column = dict(zip(numbers, block, strict=True))
        column[codebook.ID][:] = np.frombuffer(self.ids, dtype=np.int64)
        for name in CODED:
            codes = np.frombuffer(self.coded[name], dtype=np.int16)
            column[name][:] = np.where(codes < 0, np.nan, codes)
        column[codebook.DEMO][:] = np.frombuffer(self.demo, dtype=np.int8)
        for name, scores in zip(self.score_names, self.scores, strict=True):
            column[name][:] = np.frombuffer(scores, dtype=np.float64)
        if not stata:
            for code, values in zip(self.item_codes, self.values, strict=True):
                column[code][:] = np.frombuffer(values, dtype=np.int8)
        frame = pd.DataFrame(block.T, columns=numbers, copy=False)
        if stata:  # Stata's extended missing values are letters in a numeric column
            lookup = np.array([STATA_MISSING.get(v, v) for v in range(-128, 128)], dtype=object)
            objects = np.empty((len(self.item_codes), len(self.ids)), dtype=object)
            for row, values in zip(objects, self.values, strict=True):
                row[:] = lookup[np.frombuffer(values, dtype=np.int8).astype(np.int16) + 128]
            left = frame.iloc[:, : len(head)]
            items = pd.DataFrame(objects.T, columns=self.item_codes, copy=False)
            frame = pd.concat([left, items, frame.iloc[:, len(head) :]], axis=1)
        frame.insert(1, codebook.ROUND, self.rounds.values())
        frame.insert(3, codebook.ASSOCIATION_NAME, self.names.values())
        return frame


SAVED = "statistics.pickle"


def save(files: StatisticsFiles, folder: Path) -> Path:
    """`files` written into `folder` for `write_saved`: handed to another process directly
    they would be pickled in memory whole (40 MB at 130,000 responses × 50 statements)."""
    path = folder / SAVED
    with path.open("wb") as fh:
        pickle.dump(files, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def write_saved(path: Path) -> None:
    """`write_files` from what `save` wrote (our own file in the export's temporary
    folder), into that folder."""
    with path.open("rb") as fh:
        files = pickle.load(fh)  # noqa: S301 - written by this export a moment ago
    path.unlink()
    write_files(files, path.parent)


def write_files(files: StatisticsFiles, folder: Path) -> None:
    """svar.sav, svar.dta, and for R the codes as CSV (8 and 9 as numbers) with a script
    that labels them, into `folder`."""
    import pyreadstat

    frame = files.frame()
    pyreadstat.write_sav(frame, str(folder / "svar.sav"), **files.sav)
    frame.to_csv(folder / DATA_FOR_R, index=False, encoding="utf-8", na_rep="")
    del frame  # one frame at a time
    pyreadstat.write_dta(files.frame(stata=True), str(folder / "svar.dta"), **files.dta)
    (folder / "svar.R").write_text(files.r, encoding="utf-8")


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
