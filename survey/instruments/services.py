"""Use cases of questionnaires: loading the files of a folder, or one file, into the
database, each all or nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from survey.db import models
from survey.db.engine import transaction
from survey.instruments import catalog
from survey.instruments.loading import load_questionnaire
from survey.instruments.questionnaire import Questionnaire


def load_folder(session: Session, directory: Path) -> list[tuple[models.Questionnaire, bool]]:
    """Every questionnaire file of the folder: (row, created); one broken file stores none."""
    with transaction(session):
        return catalog.load_directory(session, directory)


def load_file(session: Session, path: Path) -> tuple[models.Questionnaire, bool, Questionnaire]:
    """One file, validated and stored as a new key or version: (row, created, definition)."""
    definition = load_questionnaire(path)
    with transaction(session):
        row, created = catalog.save_questionnaire(session, definition, str(path))
        return row, created, definition
