"""A small dataset for the export tests, and what an export of it must contain, computed
here from the database rows by the scoring rules (independently of survey/scoring.py)."""

from __future__ import annotations

import io

from builders import add_response, make_round
from openpyxl import load_workbook
from sqlalchemy import select

from survey.db import models
from survey.exports.codebook import OTHER

COMMENT = "=1+1 är ingen formel\x07 – Åsa på kommunen"


def varied(seed: int) -> dict[str, int | None]:
    """Every item answered 1–5, with a "vet ej" and a skipped item; a half-empty TILL."""
    values: dict[str, int | None] = {}
    codes = [
        f"{dim}{i}"
        for dim in ("STRAT", "STYR", "RES", "PROC", "INFO", "SYN", "TILL", "KUNS", "INDV", "RESULT")
        for i in (1, 2, 3, 4)
    ]
    for n, code in enumerate(codes):
        values[code] = (n * 7 + seed * 3) % 5 + 1
    values["STYR2"] = None  # vet ej
    del values["RES3"]  # not answered
    if seed % 2:
        values["TILL1"] = values["TILL2"] = values["TILL3"] = None  # 1 of 4 answered: no score
    return values


def build(db) -> dict[str, models.Round]:
    """Norrsund: 2025 (5 responses) and 2026 (6, one with a comment); Sydkust 2026: 2."""
    rounds = {
        "n25": make_round(db, "norrsund", "2025", state="published"),
        "n26": make_round(db, "norrsund", "2026", state="published"),
        "s26": make_round(db, "sydkust", "2026", state="published"),
    }
    roles = ["handlaggare", "chef", "styrelse", "handlaggare", "beredningsgrupp", "chef"]
    agencies = ["fk", "af", "kommun", "region", "kommun", "fk"]
    for i in range(5):
        add_response(db, rounds["n25"], varied(i + 10), roles[i], agencies[i])
    for i in range(6):
        comments = {"SYN": COMMENT, "STRAT": "Mer långsiktighet"} if i == 0 else None
        add_response(db, rounds["n26"], varied(i), roles[i], agencies[i], comments=comments)
    for _ in range(2):
        add_response(db, rounds["s26"], {"STRAT1": 1, "STRAT2": 1, "STRAT3": 2, "STRAT4": 1})
    add_response(db, rounds["n26"], varied(99), state="in_progress")  # never exported
    return rounds


def expected_rows(db, round_ids) -> list[tuple]:
    """(omgang, forbund, forbund_namn, roll, part, demo, *items, *scores) per submitted response."""
    q = db.scalar(
        select(models.Questionnaire).join(models.Round).where(models.Round.id == round_ids[0])
    )
    items = [item for dim in q.dimensions for item in dim.items]
    responses = db.scalars(
        select(models.Response).where(models.Response.round_id.in_(round_ids))
    ).all()
    rows = []
    for response in responses:
        given = {a.item.code: a.value for a in response.answers}
        scores = []
        for dim in q.dimensions:
            values = [
                6 - given[i.code] if i.reverse else given[i.code]
                for i in dim.items
                if given.get(i.code) is not None
            ]
            scores.append(sum(values) / len(values) if 2 * len(values) >= len(dim.items) else None)
        assoc = response.round.association
        head = (
            response.round.label,
            assoc.slug,
            assoc.name,
            response.role,
            response.agency,
            1 if assoc.is_demo else 0,
        )
        rows.append((*head, *(given.get(i.code) for i in items), *scores))
    return rows


def all_other(rows: list[tuple]) -> list[tuple]:
    """`expected_rows` as the recoded file shows a förbund × round where every role and
    agency is rarer than k (Norrsund 2026 of `build`: six responses, four roles, four
    agencies): role and agency are OTHER, everything else as answered."""
    return [(*row[:3], OTHER, OTHER, *row[5:]) for row in rows]


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def sheet_rows(wb, name: str) -> list[tuple]:
    return list(wb[name].iter_rows(values_only=True))


def same(a: list[tuple], b: list[tuple]) -> bool:
    """Equal as multisets of rows (ids left out: they are random per export). Scores are
    compared to 12 decimals: SQL's AVG may sum in another order than Python and differ in
    the last bit."""

    def norm(row: tuple) -> tuple:
        return tuple(round(v, 12) if isinstance(v, float) else v for v in row)

    def key(row: tuple) -> tuple:
        return tuple("" if v is None else str(v) for v in row)

    return sorted(map(norm, a), key=key) == sorted(map(norm, b), key=key)


ITEM_CODES = [
    f"{dim}{i}"
    for dim in ("STRAT", "STYR", "RES", "PROC", "INFO", "SYN", "TILL", "KUNS", "INDV", "RESULT")
    for i in (1, 2, 3, 4)
]


def distinct(i: int) -> dict[str, int | None]:
    """Answers that tell response `i` (< 125) from every other one, so an exported row can
    be matched to its response in the database; with a "vet ej" and a skipped statement."""
    values: dict[str, int | None] = {code: (n * 3 + i) % 5 + 1 for n, code in enumerate(ITEM_CODES)}
    for position in range(3):  # i in base 5 in the first three statements
        values[ITEM_CODES[position]] = i // 5**position % 5 + 1
    values[ITEM_CODES[5 + i % 30]] = None  # vet ej
    del values[ITEM_CODES[36 + i % 4]]  # not answered
    return values


#: (förbund, round, role, agency, responses): Norrsund 2026 has a board group of 4 (all
#: kommun) that the board pages hide; Sydkust and Västby have 3 each in 2026 (together 6);
#: Östby has 2 alone in 2025; Norrsund 2025 has 5 alike.
SMALL_GROUPS = [
    ("norrsund", "2026", "styrelse", "kommun", 4),
    ("norrsund", "2026", "handlaggare", "kommun", 10),
    ("norrsund", "2026", "handlaggare", "fk", 6),
    ("norrsund", "2026", "chef", "region", 5),
    ("norrsund", "2026", None, "af", 1),
    ("sydkust", "2026", "chef", "kommun", 2),
    ("sydkust", "2026", "styrelse", "fk", 1),
    ("vastby", "2026", "handlaggare", "af", 3),
    ("ostby", "2025", "styrelse", "region", 2),
    ("norrsund", "2025", "handlaggare", "kommun", 5),
]
#: Where each comment goes: (förbund, round, role) of the first such response.
COMMENTED = {
    ("norrsund", "2026", "styrelse"): "Styrelsen borde träffas oftare",
    ("sydkust", "2026", "chef"): "Bra samarbete med kommunen",
    ("ostby", "2025", "styrelse"): "Vi är bara två här",
}


def build_small_groups(db) -> dict[tuple[str, str], models.Round]:
    """SMALL_GROUPS as submitted responses with distinct answers, and COMMENTED."""
    rounds: dict[tuple[str, str], models.Round] = {}
    pending = dict(COMMENTED)
    count = 0
    for slug, label, role, agency, n in SMALL_GROUPS:
        if (slug, label) not in rounds:
            rounds[slug, label] = make_round(db, slug, label, state="published")
        for _ in range(n):
            text = pending.pop((slug, label, role), None)
            comments = {"SYN": text} if text else None
            add_response(db, rounds[slug, label], distinct(count), role, agency, comments=comments)
            count += 1
    return rounds
