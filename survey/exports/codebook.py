"""The researcher's codebook: every exported variable with its labels in Swedish and English,
its dimension, reverse flag, value labels and what an empty cell means.

Built from the stored questionnaire definition (plain data), so the labels are exactly the
texts the respondents saw; the codebook's own labels come from the UI's catalogue
(survey.i18n), so they are translated and checked like the pages. Variable names are ASCII
and stable across languages, so a script written against one export (SPSS, R, pandas) works
on the next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey.i18n import LANGUAGES, in_all_languages, translate
from survey.instruments.questionnaire import (
    BackgroundQuestion,
    Dimension,
    Item,
    Questionnaire,
    ReportGroup,
)

ID = "svar_id"
ROUND = "omgang"
ASSOCIATION = "forbund"
ASSOCIATION_NAME = "forbund_namn"
ROLE = "roll"
AGENCY = "part"
DEMO = "demo"  # 1: synthetic demo data (`survey demo`), 0: real answers
HEAD = (ID, ROUND, ASSOCIATION, ASSOCIATION_NAME, ROLE, AGENCY, DEMO)
LONG_HEAD = (ID, "pastaende", "varde", DEMO)
COMMENT_HEAD = (ID, "dimension", "kommentar")
SCORE_SUFFIX = "_medel"  # item codes are upper-case, so a lower-case suffix never collides
#: The level question's columns (questionnaire v3 on): "STRAT_niva_nu", "STRAT_niva_mal";
#: SPSS and Stata names cannot hold the dot of the stored code "STRAT.NOW".
LEVEL_SUFFIX = {"now": "_niva_nu", "want": "_niva_mal"}
#: The code a recoded quasi-identifier takes (survey.exports.recoding): no choice of the
#: questionnaire is called that, so it never mixes with an answer such as "annan".
OTHER = "ovrig"
OTHER_LABEL = in_all_languages(
    "other: merged so that every group in the file holds at least k respondents"
)

BLANK_ITEM = in_all_languages(
    "empty cell = don't know or not answered (Svar_lång tells them apart)"
)
BLANK_SCORE = in_all_languages(
    "empty cell = fewer than half of the dimension's statements answered"
)
BLANK_BACKGROUND = in_all_languages("empty cell = not answered")
BLANK_LONG = in_all_languages("empty cell = don't know; a statement not answered has no row")
LABELS = {
    "same_id": in_all_languages("Response id (as in Svar)"),
    "statement": in_all_languages("Statement code (in Svar)"),
    "raw": in_all_languages("Answer 1–5, raw (not recoded)"),
    "dimension": in_all_languages("Dimension code"),
    "comment": in_all_languages("Free-text comment, as written"),
    "round": in_all_languages("Survey round"),
    "association": in_all_languages("Coordination association (code)"),
    "demo": in_all_languages("Synthetic demo data (made by survey demo), not real answers"),
}
DEMO_VALUES = in_all_languages("0 = real answers; 1 = synthetic demo data")
HEADER = (
    "blad",
    "variabel",
    "etikett_sv",
    "etikett_en",
    "typ",
    "dimension",
    "omvand",
    "vardeetiketter_sv",
    "vardeetiketter_en",
    "tom_cell_sv",
    "tom_cell_en",
)


@dataclass(frozen=True)
class Variable:
    sheet: str
    name: str
    label: Mapping[str, str]
    kind: str  # "heltal" | "decimaltal" | "text"
    dimension: str | None = None
    reverse: bool | None = None
    values: Mapping[str, str] | None = None  # language -> "1 = …; 2 = …"
    blank: Mapping[str, str] | None = None

    def row(self) -> list[object]:
        values = self.values or {}
        return [
            self.sheet,
            self.name,
            self.label["sv"],
            self.label["en"],
            self.kind,
            self.dimension,
            self.reverse,
            values.get("sv"),
            values.get("en"),
            (self.blank or {}).get("sv"),
            (self.blank or {}).get("en"),
        ]


def score_column(dimension_code: str) -> str:
    return dimension_code + SCORE_SUFFIX


def exported_items(q: Questionnaire) -> list[Item]:
    """What a row holds: the statements, then each dimension's level questions (now,
    desired). Statements first, so positions in `q.items()` (scores, α) stay valid."""
    return [*q.items(), *(item for dim in q.dimensions for item in dim.level_items)]


def column(item: Item) -> str:
    """An item's column name: the statement code, or the level question's ASCII name."""
    if item.kind == "statement":
        return item.code
    return item.code.partition(".")[0] + LEVEL_SUFFIX[item.kind]


def level_variable(dim: Dimension, item: Item) -> Variable:
    """A level question's codebook entry: its text, marked with dimension and kind, and the
    dimension's level descriptions as value labels ("vet ej" is missing, as for statements)."""
    label = {lang: f"[{dim.code}, {item.kind}] {item.text[lang]}" for lang in LANGUAGES}
    values = _labels([(level.point, level.text) for level in dim.levels]) if dim.levels else None
    return Variable("Svar", column(item), label, "heltal", dim.code, None, values, BLANK_ITEM)


def wide_columns(q: Questionnaire) -> list[str]:
    """The columns of the wide sheet `Svar` and of the CSV, in order."""
    items = [column(item) for item in exported_items(q)]
    return [*HEAD, *items, *(score_column(d.code) for d in q.dimensions)]


def _labels(pairs: Sequence[tuple[object, Mapping[str, str]]]) -> dict[str, str]:
    return {
        lang: "; ".join(f"{code} = {text[lang]}" for code, text in pairs)
        for lang in "sv en".split()
    }


def _choices(
    question: BackgroundQuestion | None, groups: Sequence[ReportGroup] = ()
) -> dict[str, str] | None:
    """The choices' value labels, then each report group a recoded file may hold, with the
    choices it merges: "styrning = Styrning och ledning (styrelse + beredningsgrupp …)"."""
    if question is None:
        return None
    pairs = [(c.code, c.label) for c in question.choices]
    pairs += [
        (g.code, {lang: f"{g.label[lang]} ({' + '.join(g.choices)})" for lang in LANGUAGES})
        for g in groups
    ]
    return _labels(pairs)


def _with_other(values: Mapping[str, str] | None, recoded: bool) -> Mapping[str, str] | None:
    """The value labels, with the recoded code added when the file is recoded."""
    if not recoded:
        return values
    return {
        lang: "; ".join(filter(None, [(values or {}).get(lang), f"{OTHER} = {OTHER_LABEL[lang]}"]))
        for lang in LANGUAGES
    }


def _background(
    name: str, q: Questionnaire, code: str, fallback: Mapping[str, str], recoded: bool
) -> Variable:
    question = q.background_question(code)
    label = question.text if question else fallback
    # Only a recoded file merges choices into their report groups (survey.exports.recoding).
    groups = q.report_groups.get(code, ()) if recoded else ()
    values = _with_other(_choices(question, groups), recoded)
    return Variable("Svar", name, label, "text", values=values, blank=BLANK_BACKGROUND)


def _score(dim: Dimension) -> Variable:
    # Not in_all_languages: the dimension's name differs by language too.
    label = {
        lang: translate(
            lang,
            "%(dimension)s: dimension score, mean 1–5 of the answered statements "
            "after recoding reverse statements (6 − x)",
            dimension=dim.name[lang],
        )
        for lang in LANGUAGES
    }
    return Variable(
        "Svar", score_column(dim.code), label, "decimaltal", dim.code, blank=BLANK_SCORE
    )


def _association(associations: Mapping[str, str], recoded: bool) -> Variable:
    names = "; ".join(f"{slug} = {name}" for slug, name in associations.items())
    values = _with_other({lang: names for lang in LANGUAGES}, recoded)
    return Variable("Svar", ASSOCIATION, LABELS["association"], "text", values=values)


def variables(
    q: Questionnaire,
    associations: Mapping[str, str],
    with_comments: bool = False,
    recoded: bool = False,
) -> list[Variable]:
    """Every variable of the research workbook; `associations` maps slug to name;
    `recoded`: the quasi-identifiers may hold OTHER, so their value labels say what it is."""
    scale = _labels([(point, q.scale.labels[point]) for point in q.scale.points])
    result = [
        Variable(
            "Svar",
            ID,
            in_all_languages(
                "Response id: random, unique within this export, cannot be linked to other exports"
            ),
            "heltal",
        ),
        Variable("Svar", ROUND, LABELS["round"], "text"),
        _association(associations, recoded),
        Variable(
            "Svar", ASSOCIATION_NAME, in_all_languages("Coordination association's name"), "text"
        ),
        _background(ROLE, q, "role", in_all_languages("Role"), recoded),
        _background(AGENCY, q, "agency", in_all_languages("Agency"), recoded),
        Variable("Svar", DEMO, LABELS["demo"], "heltal", values=DEMO_VALUES),
    ]
    for dim in q.dimensions:
        for item in dim.items:
            result.append(
                Variable(
                    "Svar",
                    item.code,
                    item.text,
                    "heltal",
                    dim.code,
                    item.reverse,
                    scale,
                    BLANK_ITEM,
                )
            )
    result += [level_variable(dim, item) for dim in q.dimensions for item in dim.level_items]
    result += [_score(dim) for dim in q.dimensions]
    result += [
        Variable("Svar_lång", ID, LABELS["same_id"], "heltal"),
        Variable("Svar_lång", LONG_HEAD[1], LABELS["statement"], "text"),
        Variable("Svar_lång", LONG_HEAD[2], LABELS["raw"], "heltal", None, None, scale, BLANK_LONG),
        Variable("Svar_lång", DEMO, LABELS["demo"], "heltal", values=DEMO_VALUES),
    ]
    if with_comments:
        result += [
            Variable("Kommentarer", ID, LABELS["same_id"], "heltal"),
            Variable("Kommentarer", COMMENT_HEAD[1], LABELS["dimension"], "text"),
            Variable("Kommentarer", COMMENT_HEAD[2], LABELS["comment"], "text"),
        ]
    return result + RELIABILITY_VARIABLES + AGREEMENT_VARIABLES


RELIABILITY_VARIABLES = [
    Variable("Reliabilitet", "omgang", LABELS["round"], "text"),
    Variable("Reliabilitet", "forbund", LABELS["association"], "text"),
    Variable("Reliabilitet", "dimension", in_all_languages("Dimension (code)"), "text"),
    Variable(
        "Reliabilitet",
        "n_kompletta",
        in_all_languages("Respondents who rated every statement of the dimension"),
        "heltal",
    ),
    Variable(
        "Reliabilitet",
        "antal_pastaenden",
        in_all_languages("Statements in the dimension"),
        "heltal",
    ),
    Variable(
        "Reliabilitet",
        "cronbachs_alfa",
        in_all_languages("Cronbach's alpha (after recoding reverse statements)"),
        "decimaltal",
        blank=in_all_languages("empty cell = fewer than k complete respondents, or no variation"),
    ),
]


AGREEMENT_VARIABLES = [
    Variable("Overensstammelse", "omgang", LABELS["round"], "text"),
    Variable("Overensstammelse", "forbund", LABELS["association"], "text"),
    Variable("Overensstammelse", "dimension", in_all_languages("Dimension (code)"), "text"),
    Variable(
        "Overensstammelse",
        "n",
        in_all_languages("Respondents who rated at least one statement of the dimension"),
        "heltal",
    ),
    Variable(
        "Overensstammelse",
        "rwg_j",
        in_all_languages(
            "rwg(j): within-group agreement over the dimension's statements against the "
            "uniform null (James, Demaree & Wolf 1984)"
        ),
        "decimaltal",
        blank=in_all_languages("empty cell = fewer than k respondents"),
    ),
]
