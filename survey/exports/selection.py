"""Which survey rounds an export covers: the filters (round labels, förbund, questionnaire
key and version) resolved to plain data that outlives the database session. No Flask here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.db import audit, models
from survey.db.engine import transaction
from survey.errors import ExportRefused, NotFound
from survey.results.gate import published


@dataclass(frozen=True)
class ExportFilter:
    """What to export; an empty tuple or None means "all"."""

    rounds: tuple[str, ...] = ()  # round labels, e.g. ("2025", "2026")
    associations: tuple[str, ...] = ()  # förbund slugs
    questionnaire: str | None = None  # questionnaire key
    version: int | None = None  # questionnaire version


@dataclass(frozen=True)
class SelectedRound:
    id: int
    label: str
    state: str
    association_slug: str
    association_name: str
    questionnaire_id: int
    questionnaire_key: str
    questionnaire_version: int
    sequence: int  # its place in its förbund's time order


@dataclass(frozen=True)
class Selection:
    """The rounds an export covers, as plain data (usable after its session is closed)."""

    rounds: tuple[SelectedRound, ...]

    @property
    def round_ids(self) -> list[int]:
        return [r.id for r in self.rounds]

    @property
    def labels(self) -> list[str]:
        return sorted({r.label for r in self.rounds})

    @property
    def associations(self) -> dict[str, str]:
        """slug → name, ordered by name."""
        pairs = {r.association_slug: r.association_name for r in self.rounds}
        return dict(sorted(pairs.items(), key=lambda kv: kv[1]))

    @property
    def versions(self) -> list[str]:
        return sorted({f"{r.questionnaire_key} v{r.questionnaire_version}" for r in self.rounds})


def select_rounds(session: Session, flt: ExportFilter) -> Selection:
    """The rounds matching the filter; names any round label or förbund that does not exist."""
    for label in flt.rounds:
        if session.scalar(select(models.Round.id).filter_by(label=label).limit(1)) is None:
            raise NotFound("round", label)
    for slug in flt.associations:
        if session.scalar(select(models.Association.id).filter_by(slug=slug)) is None:
            raise NotFound("association", slug)
    stmt = (
        select(
            models.Round.id,
            models.Round.label,
            models.Round.state,
            models.Association.slug,
            models.Association.name,
            models.Questionnaire.id,
            models.Questionnaire.key,
            models.Questionnaire.version,
            models.Round.sequence,
        )
        .join(models.Association, models.Association.id == models.Round.association_id)
        .join(models.Questionnaire, models.Questionnaire.id == models.Round.questionnaire_id)
        # Figures, exports included, exist only for published rounds (README, publication).
        .where(published(models.Round.id))
        .order_by(models.Round.label, models.Association.name)
    )
    if flt.rounds:
        stmt = stmt.where(models.Round.label.in_(flt.rounds))
    if flt.associations:
        stmt = stmt.where(models.Association.slug.in_(flt.associations))
    if flt.questionnaire:
        stmt = stmt.where(models.Questionnaire.key == flt.questionnaire)
    if flt.version is not None:
        stmt = stmt.where(models.Questionnaire.version == flt.version)
    rounds = tuple(SelectedRound(*row) for row in session.execute(stmt))
    if not rounds:
        raise ExportRefused(
            "No published survey round matches the chosen rounds, förbund and version.",
            reason="no_match",
        )
    return Selection(rounds)


def response_counts(session: Session, selection: Selection) -> dict[int, int]:
    """Submitted responses per round id."""
    stmt = (
        select(models.Response.round_id, func.count())
        .where(
            models.Response.round_id.in_(selection.round_ids),
            published(models.Response.round_id),
        )
        .group_by(models.Response.round_id)
    )
    return dict(session.execute(stmt).all())


def record_export(
    session: Session,
    actor: str | None,
    kind: str,
    selection: Selection,
    *,
    recoded: bool = True,
    comments: bool = False,
) -> None:
    """Write who exported which rounds, recoded or not, to the audit log (never any data)."""
    with transaction(session):
        audit.record(
            session,
            actor,
            "export",
            kind,
            rounds=[f"{r.association_slug}/{r.label}" for r in selection.rounds],
            recoded=recoded,
            comments=comments,
        )
