"""Förbund (coordination associations): creating and finding them."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import models
from survey.errors import NotFound, RoundSetupError
from survey.i18n import N_

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def create_association(session: Session, slug: str, name: str) -> models.Association:
    if not SLUG_RE.match(slug):
        raise RoundSetupError(
            N_(
                "'%(slug)s' is not a usable short name: use lower-case letters a–z, digits "
                "and dashes, e.g. norrsund"
            ),
            field="slug",
            slug=slug,
        )
    name = _checked_name(name)
    if session.scalar(select(models.Association.id).filter_by(slug=slug)) is not None:
        raise RoundSetupError(
            N_("a förbund with the short name '%(slug)s' already exists"), field="slug", slug=slug
        )
    assoc = models.Association(slug=slug, name=name)
    session.add(assoc)
    session.flush()
    return assoc


def find_association(session: Session, slug: str) -> models.Association:
    assoc = session.scalar(select(models.Association).filter_by(slug=slug))
    if assoc is None:
        raise NotFound("association", slug)
    return assoc


#: Longest texts a förbund's page takes (the name column's width; the free texts are for a
#: list of agencies and a contact, never documents).
NAME_MAX, TEXT_MAX = 200, 2000


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise RoundSetupError(N_("the förbund needs a name"), field="name")
    if len(name) > NAME_MAX:
        raise RoundSetupError(
            N_("the name is too long: at most %(max)s characters"), field="name", max=NAME_MAX
        )
    return name


def update_association(
    assoc: models.Association,
    *,
    name: str,
    members: str,
    named_to_others: bool,
    privacy_contact: str,
) -> None:
    """What a förbund's administrator may change about it (not its short name, which is in
    every link and export)."""
    assoc.name = _checked_name(name)
    if len(members) > TEXT_MAX:
        raise RoundSetupError(
            N_("the list of member agencies is too long: at most %(max)s characters"),
            field="members",
            max=TEXT_MAX,
        )
    if len(privacy_contact) > TEXT_MAX:
        raise RoundSetupError(
            N_("the privacy contact is too long: at most %(max)s characters"),
            field="privacy_contact",
            max=TEXT_MAX,
        )
    # One agency per line, without the blank lines and spaces a paste brings along.
    assoc.members = "\n".join(line.strip() for line in members.splitlines() if line.strip())
    assoc.named_to_others = named_to_others
    assoc.privacy_contact = privacy_contact.strip()
