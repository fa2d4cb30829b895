"""Use cases of questionnaires: loading the files of a folder, or one file, into the
database, each all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import audit, models
from survey.db.engine import transaction
from survey.instruments import catalog
from survey.instruments.loading import load_questionnaire, parse_questionnaire_bytes
from survey.instruments.questionnaire import Questionnaire


def load_folder(
    session: Session, directory: Path, *, actor: str | None = None
) -> list[tuple[models.Questionnaire, bool]]:
    """Every questionnaire file of the folder: (row, created); one broken file stores none."""
    with transaction(session):
        loaded = catalog.load_directory(session, directory)
        for row, created in loaded:
            if created:
                _record(session, actor, row)
        return loaded


def load_file(
    session: Session, path: Path, *, actor: str | None = None, replace_unused: bool = False
) -> tuple[models.Questionnaire, bool, Questionnaire]:
    """One file, validated and stored as a new key or version: (row, created, definition)."""
    return _store(session, load_questionnaire(path), str(path), actor, replace_unused)


def load_bytes(
    session: Session,
    data: bytes,
    filename: str,
    *,
    actor: str | None = None,
    replace_unused: bool = False,
) -> tuple[models.Questionnaire, bool, Questionnaire]:
    """An uploaded file's bytes, checked by the same gate as a file (size, nesting, no
    aliases, every rule) and stored as a new key or version: (row, created, definition).
    `filename` names the file in every fault; nothing is stored unless all is valid."""
    definition = parse_questionnaire_bytes(data, filename)
    return _store(session, definition, filename, actor, replace_unused)


def _store(
    session: Session,
    definition: Questionnaire,
    source: str,
    actor: str | None,
    replace_unused: bool = False,
) -> tuple[models.Questionnaire, bool, Questionnaire]:
    with transaction(session):
        row, created = catalog.save_questionnaire(
            session, definition, source, replace_unused=replace_unused
        )
        if created:
            _record(session, actor, row)
        return row, created, definition


def _record(session: Session, actor: str | None, row: models.Questionnaire) -> None:
    audit.record(session, actor, "questionnaire_loaded", f"{row.key}:{row.version}")


@dataclass(frozen=True)
class Version:
    """A stored questionnaire version and the rounds that use it ("förbund/label")."""

    key: str
    version: int
    title: dict[str, str]
    used_by: list[str]


def versions(session: Session) -> list[Version]:
    """Every stored version with where it is used, in two statements."""
    rows = session.scalars(
        select(models.Questionnaire).order_by(
            models.Questionnaire.key, models.Questionnaire.version
        )
    ).all()
    used: dict[int, list[str]] = {}
    uses = session.execute(
        select(models.Round.questionnaire_id, models.Association.slug, models.Round.label)
        .join(models.Round.association)
        .order_by(models.Association.slug, models.Round.sequence)
    )
    for questionnaire_id, slug, label in uses:
        used.setdefault(questionnaire_id, []).append(f"{slug}/{label}")
    return [
        Version(q.key, q.version, {"sv": q.title_sv, "en": q.title_en}, used.get(q.id, []))
        for q in rows
    ]


def upload(
    session: Session, data: bytes, filename: str, *, actor: str | None = None
) -> tuple[models.Questionnaire, bool, Questionnaire]:
    """An uploaded file, read by the same loader as a file on disk (its limits included),
    stored only if all of it is valid; a version a round uses is never changed (one no
    round uses yet is replaced).
    QuestionnaireError names every fault, under the uploaded file's name."""
    name = PurePath(filename.replace("\\", "/")).name or "questionnaire.yaml"
    return load_bytes(session, data, name, actor=actor, replace_unused=True)
