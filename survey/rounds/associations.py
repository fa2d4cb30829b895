"""Förbund (coordination associations): creating and finding them."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import models
from survey.errors import NotFound, RoundSetupError

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def create_association(session: Session, slug: str, name: str) -> models.Association:
    if not SLUG_RE.match(slug):
        raise RoundSetupError(
            f"'{slug}' is not a usable short name: use lower-case letters a–z, digits and "
            "dashes, e.g. norrsund"
        )
    if not name.strip():
        raise RoundSetupError("the förbund needs a name")
    if session.scalar(select(models.Association.id).filter_by(slug=slug)) is not None:
        raise RoundSetupError(f"a förbund with the short name '{slug}' already exists")
    assoc = models.Association(slug=slug, name=name.strip())
    session.add(assoc)
    session.flush()
    return assoc


def find_association(session: Session, slug: str) -> models.Association:
    assoc = session.scalar(select(models.Association).filter_by(slug=slug))
    if assoc is None:
        raise NotFound("association", slug)
    return assoc
