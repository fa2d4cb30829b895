"""The level question's figures in the publication snapshot (issue 23)

Revision ID: 0019
Revises: 0013
Create Date: 2026-12-08 03:30:00

The snapshot kept the scores only; the maturity picture and the dashboard computed the
levels (rated now and wanted, per role) live. Every snapshot already made gets its level
rows here, at the snapshot's own k, computed by the code that computes them live (so the
two cannot differ). No table changes: the rows share `snapshot_figure` under kinds of
their own. Downgrade drops those rows (the pages then compute the levels live again).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVEL_KINDS = ("level-now", "level-want", "level-role")


def upgrade() -> None:
    from survey.maturity import level_figures

    session = Session(bind=op.get_bind())
    kept = session.execute(sa.text("SELECT round_id, k FROM figure_snapshot ORDER BY round_id"))
    for round_id, k in kept.all():
        level_figures.add_levels(session, round_id, k)
    session.flush()


def downgrade() -> None:
    kinds = ", ".join(f"'{kind}'" for kind in LEVEL_KINDS)
    op.execute(f"DELETE FROM snapshot_figure WHERE kind IN ({kinds})")
