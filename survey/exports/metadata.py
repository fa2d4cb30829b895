"""The `Metadata` of a research export: what was exported, when, how it was scored and
recoded, and the recoding list (also the key-value metadata of its Parquet files). The
prose is Swedish, like the file's sheet and variable names. No Flask here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import models
from survey.exports import codebook
from survey.exports.dataset import LANGUAGE
from survey.exports.recoding import Recoding
from survey.exports.selection import Selection, response_counts
from survey.i18n import N_, translate

SCORING_RULES = N_(
    "Reverse statements are recoded (6 − x) before anything else is computed. The dimension "
    "score is the mean of the answered statements and exists only when at least half of the "
    "dimension's statements were answered. Don't know is a missing value, never 0."
)
ABOUT_K = N_(
    "Aggregates (pages, board export) do not show groups with fewer than k answers, and the "
    "row-level sheets here are protected the same way unless the file says it is not recoded."
)
RECODED = N_(
    "recoded: förbund, role and agency are coarsened to ovrig until every combination of "
    "round, förbund, role and agency in the file holds at least k respondents; statement "
    "values are unchanged. The recodings are listed below."
)
UNRECODED = N_(
    "NOT recoded: förbund, role and agency as answered, so the file holds groups with fewer "
    "than k respondents. Only for use under an approved agreement; do not pass it on."
)
ABOUT_POOLS = N_(
    "A förbund with fewer than k responses in a round is published as förbund ovrig, pooled "
    "with the others of that round, when the pool holds at least k responses and the export "
    "includes all of it; otherwise its responses are left out (listed as such below)."
)
NOT_ANSWERED = N_("(not answered)")
LEFT_OUT = N_("left out")
ABOUT_IDS = N_(
    "Random for this export (unique here, cannot be linked to other exports or to the "
    "database). The row order is random too within round and association."
)
RECODING_COLUMNS = (
    N_("round"),
    N_("coordination association"),
    N_("variable"),
    N_("value as answered"),
    N_("value in the file"),
    N_("respondents"),
)
ROUND_COLUMNS = (
    N_("round"),
    N_("coordination association"),
    N_("coordination association's name"),
    N_("questionnaire"),
    N_("version"),
    N_("status"),
    N_("responses"),
)


#: The imported rounds' columns (survey.imports: a round written from earlier survey data).
IMPORTED_COLUMNS = (
    N_("round"),
    N_("coordination association"),
    N_("imported from"),
    N_("imported at (UTC)"),
    N_("imported by"),
)

#: Where the long form is when it does not fit the workbook on its own (a download or a
#: `survey export --out FILE.xlsx`), and when it comes in the research package.


def metadata_rows(
    session: Session,
    selection: Selection,
    q_row: models.Questionnaire,
    plan: Recoding,
    responses: int,
    with_comments: bool,
    now: dt.datetime | None,
) -> Iterator[list[object]]:
    now = now or dt.datetime.now(dt.UTC)
    comments = N_("included (the sheet Kommentarer)") if with_comments else N_("not included")
    described = [
        (N_("questionnaire"), q_row.key),
        (N_("questionnaire versions"), ", ".join(selection.versions)),
        (N_("codebook texts from"), f"{q_row.key} v{q_row.version}"),
        (N_("rounds"), ", ".join(selection.labels)),
        (N_("coordination associations"), ", ".join(selection.associations)),
        (N_("responses"), responses),
        (N_("export time (UTC)"), now.strftime("%Y-%m-%dT%H:%M:%SZ")),
        (N_("scoring rules"), translate(LANGUAGE, SCORING_RULES)),
        (N_("minimum group size k"), plan.k),
        (N_("about k"), translate(LANGUAGE, ABOUT_K)),
        (N_("quasi-identifiers"), translate(LANGUAGE, RECODED if plan.recoded else UNRECODED)),
        (N_("respondents recoded"), plan.respondents_recoded),
        (N_("values recoded (förbund, role, agency)"), plan.cells_recoded),
        (N_("responses left out"), sum(plan.left_out.values())),
    ]
    for key, value in described:
        yield [translate(LANGUAGE, key), value]
    yield [codebook.ID, translate(LANGUAGE, ABOUT_IDS)]
    yield [translate(LANGUAGE, "comments"), translate(LANGUAGE, comments)]
    yield []
    yield [translate(LANGUAGE, column) for column in ROUND_COLUMNS]
    counts = response_counts(session, selection)
    for r in selection.rounds:
        yield [
            r.label,
            r.association_slug,
            r.association_name,
            r.questionnaire_key,
            r.questionnaire_version,
            r.state,
            counts.get(r.id, 0),
        ]
    yield from _imported_rows(session, selection)
    if plan.recoded:
        yield []
        yield from _recoding_rows(selection, plan)


def _recoding_rows(selection: Selection, plan: Recoding) -> Iterator[list[object]]:
    """The recoding list: what became what, where, for how many respondents."""
    yield [translate(LANGUAGE, ABOUT_POOLS)]
    yield [translate(LANGUAGE, column) for column in RECODING_COLUMNS]
    not_answered = translate(LANGUAGE, NOT_ANSWERED)
    for change in plan.changes:
        yield [
            change.label,
            change.association,
            change.variable,
            not_answered if change.before is None else change.before,
            not_answered if change.after is None else change.after,
            change.responses,
        ]
    left_out = translate(LANGUAGE, LEFT_OUT)
    for r in selection.rounds:
        if r.id in plan.left_out:
            slug = r.association_slug
            yield [r.label, slug, codebook.ASSOCIATION, slug, left_out, plan.left_out[r.id]]


def _imported_rows(session: Session, selection: Selection) -> Iterator[list[object]]:
    """Rounds imported from earlier survey data (survey.imports): from which file, when
    and by whom; nothing when the selection holds none."""
    rows = session.execute(
        select(
            models.Round.label,
            models.Association.slug,
            models.Round.imported_from,
            models.Round.imported_at,
            models.Round.imported_by,
        )
        .join(models.Association)
        .where(models.Round.id.in_(selection.round_ids), models.Round.imported_at.is_not(None))
        .order_by(models.Association.slug, models.Round.sequence)
    ).all()
    if not rows:
        return
    yield []
    yield [translate(LANGUAGE, column) for column in IMPORTED_COLUMNS]
    for label, slug, source, at, by in rows:
        yield [label, slug, source, at.strftime("%Y-%m-%dT%H:%M:%SZ"), by or ""]
