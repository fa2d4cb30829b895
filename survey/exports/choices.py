"""What a researcher may choose on the download page, and what a choice holds before any
file is written: the published rounds, questionnaire versions and förbund to offer, and
for one choice the responses, whether they are recoded and about how long it takes.
No Flask here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.db.models import RoundState
from survey.exports import recoding
from survey.exports.dataset import report_groups, research_questionnaire
from survey.exports.selection import ExportFilter, Selection, select_rounds

#: Responses a second the files are written at on a busy 2-core server (docs/development.md,
#: Exports: 130,000 responses × 50 statements in about 45 s; rounded down for safety).
RESPONSES_PER_SECOND = 2500
#: Below this many seconds the page does not mention the time.
QUICK_SECONDS = 5
FORMATS = ("xlsx", "csv", "zip")


@dataclass(frozen=True)
class Version:
    key: str
    version: int
    title_sv: str
    title_en: str
    rounds: tuple[str, ...]  # published round labels asked with it, newest first

    @property
    def value(self) -> str:
        """The form's value for it: "integrerad-samverkan:2"."""
        return f"{self.key}:{self.version}"


@dataclass(frozen=True)
class Offer:
    """Everything the page offers: versions newest first, round labels, förbund."""

    versions: tuple[Version, ...]
    rounds: tuple[str, ...]
    associations: tuple[tuple[str, str], ...]  # (slug, name), by name

    @property
    def newest(self) -> Version | None:
        return self.versions[0] if self.versions else None

    def version(self, value: str | None) -> Version | None:
        """The version a form value names; the newest when none or an unknown one is given."""
        return next((v for v in self.versions if v.value == value), self.newest)


@dataclass(frozen=True)
class Summary:
    """What one choice holds, counted in SQL before any file is written."""

    selection: Selection
    responses: int
    recoded: bool
    respondents_recoded: int
    left_out: int  # responses left out to keep every group at k or more
    seconds: int  # about how long the file takes on the server

    @property
    def slow(self) -> bool:
        return self.seconds >= QUICK_SECONDS


def offer(session: Session) -> Offer:
    """The published rounds' versions (newest first: latest round, then highest version),
    round labels (newest first) and förbund."""
    published = models.Round.state == RoundState.PUBLISHED
    rows = session.execute(
        select(
            models.Questionnaire.key,
            models.Questionnaire.version,
            models.Questionnaire.title_sv,
            models.Questionnaire.title_en,
            models.Round.label,
        )
        .join(models.Round, models.Round.questionnaire_id == models.Questionnaire.id)
        .where(published)
        .group_by(
            models.Questionnaire.key,
            models.Questionnaire.version,
            models.Questionnaire.title_sv,
            models.Questionnaire.title_en,
            models.Round.label,
        )
    ).all()
    labels: dict[tuple, list[str]] = {}
    titles: dict[tuple, tuple[str, str]] = {}
    for key, version, title_sv, title_en, label in rows:
        labels.setdefault((key, version), []).append(label)
        titles[key, version] = (title_sv, title_en)
    versions = sorted(
        (
            Version(key, version, *titles[key, version], tuple(sorted(found, reverse=True)))
            for (key, version), found in labels.items()
        ),
        key=lambda v: (v.rounds[0], v.version),
        reverse=True,
    )
    associations = session.execute(
        select(models.Association.slug, models.Association.name)
        .join(models.Round, models.Round.association_id == models.Association.id)
        .where(published)
        .group_by(models.Association.slug, models.Association.name)
        .order_by(models.Association.name)
    ).all()
    return Offer(
        tuple(versions),
        tuple(sorted({r[4] for r in rows}, reverse=True)),
        tuple((slug, name) for slug, name in associations),
    )


def summarise(session: Session, flt: ExportFilter, k: int, recode: bool = True) -> Summary:
    """The choice's rounds, responses and recoding; raises ExportRefused (no round matches,
    or versions whose statements differ) exactly as the download would, before it starts."""
    selection = select_rounds(session, flt)
    research_questionnaire(session, selection)
    plan = recoding.plan(session, selection, k, recode, report_groups(session))
    submitted = int(
        session.scalar(
            select(func.count())
            .select_from(models.Response)
            .where(models.Response.round_id.in_(selection.round_ids))
        )
        or 0
    )
    return Summary(
        selection,
        plan.responses,
        plan.recoded,
        plan.respondents_recoded,
        max(submitted - plan.responses, 0),
        -(-plan.responses // RESPONSES_PER_SECOND),
    )
