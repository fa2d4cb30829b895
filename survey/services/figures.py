"""Use case of the publication snapshot outside publishing: make every published round's
figures again (after a restore, an import or a bulk load written straight into the tables,
or after MIN_GROUP_SIZE changed), in one unit of work."""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey.db.engine import transaction
from survey.maturity import level_figures


def rebuild_figures(session: Session, k: int) -> int:
    """Every published round's snapshot made again at k; returns how many rounds."""
    with transaction(session):
        return level_figures.rebuild_all(session, k)
