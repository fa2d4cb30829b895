"""The researcher's codebook: every exported variable with its labels in Swedish and English,
its dimension, reverse flag, value labels and what an empty cell means.

Built from the stored questionnaire definition (plain data), so the labels are exactly the
texts the respondents saw. Variable names are ASCII and stable across languages, so a
script written against one export (SPSS, R, pandas) works on the next.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from survey.instruments.questionnaire import BackgroundQuestion, Questionnaire

ID = "svar_id"
ROUND = "omgang"
ASSOCIATION = "forbund"
ASSOCIATION_NAME = "forbund_namn"
ROLE = "roll"
AGENCY = "part"
HEAD = (ID, ROUND, ASSOCIATION, ASSOCIATION_NAME, ROLE, AGENCY)
LONG_HEAD = (ID, "pastaende", "varde")
COMMENT_HEAD = (ID, "dimension", "kommentar")
SCORE_SUFFIX = "_medel"  # item codes are upper-case, so a lower-case suffix never collides

BLANK_ITEM = {
    "sv": "tom cell = vet ej eller ej besvarat (Svar_lång skiljer dem åt)",
    "en": "empty cell = don't know or not answered (Svar_lång tells them apart)",
}
BLANK_SCORE = {
    "sv": "tom cell = färre än hälften av dimensionens påståenden besvarade",
    "en": "empty cell = fewer than half of the dimension's statements answered",
}
BLANK_BACKGROUND = {"sv": "tom cell = ej besvarat", "en": "empty cell = not answered"}
BLANK_LONG = {
    "sv": "tom cell = vet ej; ett påstående som inte besvarats har ingen rad",
    "en": "empty cell = don't know; a statement not answered has no row",
}
LABELS = {
    "same_id": {"sv": "Svars-id (som i Svar)", "en": "Response id (as in Svar)"},
    "statement": {"sv": "Påståendets kod (variabel i Svar)", "en": "Statement code (in Svar)"},
    "raw": {"sv": "Svar 1–5, rått (ej omkodat)", "en": "Answer 1–5, raw (not recoded)"},
    "dimension": {"sv": "Dimensionens kod", "en": "Dimension code"},
    "comment": {"sv": "Fritextkommentar, som den skrevs", "en": "Free-text comment, as written"},
}
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


def wide_columns(q: Questionnaire) -> list[str]:
    """The columns of the wide sheet `Svar` and of the CSV, in order."""
    items = [item.code for item in q.items()]
    return [*HEAD, *items, *(score_column(d.code) for d in q.dimensions)]


def _labels(pairs: Sequence[tuple[object, Mapping[str, str]]]) -> dict[str, str]:
    return {
        lang: "; ".join(f"{code} = {text[lang]}" for code, text in pairs)
        for lang in "sv en".split()
    }


def _choices(question: BackgroundQuestion | None) -> dict[str, str] | None:
    return _labels([(c.code, c.label) for c in question.choices]) if question else None


def _background(
    name: str, question: BackgroundQuestion | None, fallback: Mapping[str, str]
) -> Variable:
    label = question.text if question else fallback
    return Variable("Svar", name, label, "text", values=_choices(question), blank=BLANK_BACKGROUND)


def variables(
    q: Questionnaire, associations: Mapping[str, str], with_comments: bool = False
) -> list[Variable]:
    """Every variable of the research workbook; `associations` maps slug to name."""
    scale = _labels([(point, q.scale.labels[point]) for point in q.scale.points])
    names = {"sv": "; ".join(f"{s} = {n}" for s, n in associations.items())}
    names["en"] = names["sv"]
    result = [
        Variable(
            "Svar",
            ID,
            {
                "sv": "Svars-id: slumpat, unikt inom denna export, "
                "går inte att koppla till andra exporter",
                "en": "Response id: random, unique within this export, "
                "cannot be linked to other exports",
            },
            "heltal",
        ),
        Variable("Svar", ROUND, {"sv": "Mätomgång", "en": "Survey round"}, "text"),
        Variable(
            "Svar",
            ASSOCIATION,
            {"sv": "Samordningsförbund (kod)", "en": "Coordination association (code)"},
            "text",
            values=names,
        ),
        Variable(
            "Svar",
            ASSOCIATION_NAME,
            {"sv": "Samordningsförbundets namn", "en": "Coordination association's name"},
            "text",
        ),
        _background(ROLE, q.background_question("role"), {"sv": "Roll", "en": "Role"}),
        _background(AGENCY, q.background_question("agency"), {"sv": "Part", "en": "Agency"}),
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
    for dim in q.dimensions:
        result.append(
            Variable(
                "Svar",
                score_column(dim.code),
                {
                    "sv": f"{dim.name['sv']}: dimensionspoäng, medelvärde 1–5 av besvarade "
                    "påståenden efter omkodning av omvända påståenden (6 − x)",
                    "en": f"{dim.name['en']}: dimension score, mean 1–5 of the answered "
                    "statements after recoding reverse statements (6 − x)",
                },
                "decimaltal",
                dim.code,
                blank=BLANK_SCORE,
            )
        )
    result += [
        Variable("Svar_lång", ID, LABELS["same_id"], "heltal"),
        Variable("Svar_lång", LONG_HEAD[1], LABELS["statement"], "text"),
        Variable("Svar_lång", LONG_HEAD[2], LABELS["raw"], "heltal", None, None, scale, BLANK_LONG),
    ]
    if with_comments:
        result += [
            Variable("Kommentarer", ID, LABELS["same_id"], "heltal"),
            Variable("Kommentarer", COMMENT_HEAD[1], LABELS["dimension"], "text"),
            Variable("Kommentarer", COMMENT_HEAD[2], LABELS["comment"], "text"),
        ]
    return result + RELIABILITY_VARIABLES


RELIABILITY_VARIABLES = [
    Variable("Reliabilitet", "omgang", {"sv": "Mätomgång", "en": "Survey round"}, "text"),
    Variable(
        "Reliabilitet",
        "forbund",
        {"sv": "Samordningsförbund (kod)", "en": "Coordination association (code)"},
        "text",
    ),
    Variable(
        "Reliabilitet", "dimension", {"sv": "Dimension (kod)", "en": "Dimension (code)"}, "text"
    ),
    Variable(
        "Reliabilitet",
        "n_kompletta",
        {
            "sv": "Antal svarande som besvarat alla dimensionens påståenden",
            "en": "Respondents who rated every statement of the dimension",
        },
        "heltal",
    ),
    Variable(
        "Reliabilitet",
        "antal_pastaenden",
        {"sv": "Antal påståenden i dimensionen", "en": "Statements in the dimension"},
        "heltal",
    ),
    Variable(
        "Reliabilitet",
        "cronbachs_alfa",
        {
            "sv": "Cronbachs alfa (efter omkodning av omvända påståenden)",
            "en": "Cronbach's alpha (after recoding reverse statements)",
        },
        "decimaltal",
        blank={
            "sv": "tom cell = färre än k kompletta svarande, eller ingen variation",
            "en": "empty cell = fewer than k complete respondents, or no variation",
        },
    ),
]
