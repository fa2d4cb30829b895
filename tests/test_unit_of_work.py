"""A service's unit of work starts from a clean session: what a caller only read is fine,
but a write made outside any service (a read that accidentally wrote) is refused and rolled
back, never committed on the quiet by the next service that happens to run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.db import models
from survey.db.engine import UnsavedChanges, transaction
from survey.services import round_actions as services


def _slugs(app) -> set[str]:
    with app.extensions["survey_sessions"]() as fresh:
        return set(fresh.scalars(select(models.Association.slug)))


def test_a_service_after_a_read_commits_its_own_work(app, db):
    services.add_association(db, "norrsund", "Norrsund", actor="test")
    assert db.scalar(select(models.Association).filter_by(slug="norrsund")) is not None
    services.add_association(db, "sydkust", "Sydkust", actor="test")  # after that read
    assert _slugs(app) == {"norrsund", "sydkust"}


def test_a_change_left_pending_is_refused_and_not_stored(app, db):
    services.add_association(db, "norrsund", "Norrsund", actor="test")
    found = db.scalar(select(models.Association).filter_by(slug="norrsund"))
    found.name = "Ändrad av misstag"  # a read that wrote
    with pytest.raises(UnsavedChanges):
        services.add_association(db, "sydkust", "Sydkust", actor="test")
    assert _slugs(app) == {"norrsund"}
    db.expire_all()
    assert db.scalar(select(models.Association.name).filter_by(slug="norrsund")) == "Norrsund"


def test_a_write_already_flushed_is_refused_and_rolled_back(app, db):
    db.add(models.Association(slug="smyg", name="Smyg"))
    db.flush()  # e.g. autoflush before a query
    with pytest.raises(UnsavedChanges):
        with transaction(db):
            db.add(models.Association(slug="avsikt", name="Avsikt"))
    assert _slugs(app) == set()
    # The session is usable again and the next unit of work stands alone.
    services.add_association(db, "norrsund", "Norrsund", actor="test")
    assert _slugs(app) == {"norrsund"}
