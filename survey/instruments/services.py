"""Use cases of questionnaires: loading the files of a folder, or one file, into the
database, each all or nothing."""

from __future__ import annotations

from pathlib import Path

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
    session: Session, path: Path, *, actor: str | None = None
) -> tuple[models.Questionnaire, bool, Questionnaire]:
    """One file, validated and stored as a new key or version: (row, created, definition)."""
    return _store(session, load_questionnaire(path), str(path), actor)


def load_bytes(
    session: Session, data: bytes, filename: str, *, actor: str | None = None
) -> tuple[models.Questionnaire, bool, Questionnaire]:
    """An uploaded file's bytes, checked by the same gate as a file (size, nesting, no
    aliases, every rule) and stored as a new key or version: (row, created, definition).
    `filename` names the file in every fault; nothing is stored unless all is valid."""
    return _store(session, parse_questionnaire_bytes(data, filename), filename, actor)


def _store(
    session: Session, definition: Questionnaire, source: str, actor: str | None
) -> tuple[models.Questionnaire, bool, Questionnaire]:
    with transaction(session):
        row, created = catalog.save_questionnaire(session, definition, source)
        if created:
            _record(session, actor, row)
        return row, created, definition


def _record(session: Session, actor: str | None, row: models.Questionnaire) -> None:
    audit.record(session, actor, "questionnaire_loaded", f"{row.key}:{row.version}")
