"""Free-text comments to the board (issue 21): per dimension of a published round, only
where at least k people commented on it in that förbund and round, in alphabetical order
(never the order they came in), each with what could identify someone removed by the rule
below. docs/design.md ("Comments to the board") states the rule.

The rule removes, in this order: e-mail addresses → "[e-post]"; personnummer and
samordningsnummer (YYMMDD-NNNN, YYYYMMDDNNNN, with or without the dash or plus) →
"[personnummer]"; phone numbers (+46 or 0 followed by at least 6 more digits, spaces or
dashes allowed) → "[telefon]"; and every capitalised word that does not begin a sentence
(or begins one followed by another capitalised word: a full name) and is not on the short
list of words a comment about the collaboration needs (the agencies, the law) → "[namn]".
The last is deliberately broad: a lost place name is a smaller harm than a kept person's
name. A one-word name that begins a sentence ("Kalle ringde.") is not caught."""

from __future__ import annotations

import re

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.disclosure import effective_k
from survey.results.gate import published

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PERSONNUMMER = re.compile(r"\b(?:\d{2})?\d{6}[-+]?\d{4}\b")
PHONE = re.compile(r"(?:\+46|\b0)[\d\s-]{6,}\d")
CAPITALISED = re.compile(r"\b[A-ZÅÄÖÉÜ][a-zåäöéü]+(?:-[A-ZÅÄÖa-zåäö][a-zåäö]+)?\b")
FOLLOWING = re.compile(r"\s+([A-ZÅÄÖÉÜ][a-zåäöéü]+)")
SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*|[\"“”(]\s*)$")
#: Capitalised words a comment about the collaboration needs: the agencies and the law.
KEPT_WORDS = frozenset(
    {
        "Försäkringskassan", "Arbetsförmedlingen", "Kommunen", "Kommun", "Regionen",
        "Region", "Samordningsförbundet", "Förbundet", "Finsam", "Vården", "Socialtjänsten",
    }
)  # fmt: skip


def scrub(text: str) -> str:
    """The comment with e-mail addresses, personnummer, phone numbers and names removed."""
    text = EMAIL.sub("[e-post]", text)
    text = PERSONNUMMER.sub("[personnummer]", text)
    text = PHONE.sub("[telefon]", text)

    def name(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in KEPT_WORDS:
            return word
        if SENTENCE_START.search(text[: match.start()]) is None:
            return "[namn]"
        # A sentence's first word stays, unless a capitalised word follows (a full name).
        following = FOLLOWING.match(text, match.end())
        return "[namn]" if following and following.group(1) not in KEPT_WORDS else word

    return CAPITALISED.sub(name, text)


def board_comments(session: Session, round_id: int, k: int) -> dict[str, list[str]]:
    """Dimension code -> the scrubbed comments, for dimensions with at least k commenters
    (counted in SQL); others are absent. A round not published (the gate, in the
    statement) has none."""
    k = effective_k(k)
    joined = (
        select(models.Dimension.code, models.Comment.text)
        .join(models.Comment, models.Comment.dimension_id == models.Dimension.id)
        .join(models.Response, models.Response.id == models.Comment.response_id)
        .where(models.Response.round_id == round_id, published(models.Response.round_id))
    )
    shown = (
        select(models.Dimension.code)
        .join(models.Comment, models.Comment.dimension_id == models.Dimension.id)
        .join(models.Response, models.Response.id == models.Comment.response_id)
        .where(models.Response.round_id == round_id, published(models.Response.round_id))
        .group_by(models.Dimension.code)
        .having(func.count(distinct(models.Comment.response_id)) >= k)
    )
    rows = session.execute(
        joined.where(models.Dimension.code.in_(shown)).order_by(
            models.Dimension.code, models.Comment.text
        )
    )
    result: dict[str, list[str]] = {}
    for code, text in rows:
        result.setdefault(code, []).append(scrub(text))
    for code in result:
        result[code].sort()  # alphabetical after scrubbing too: no trace of any order
    return result
