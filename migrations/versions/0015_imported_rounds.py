"""Rounds imported from earlier survey data: where from, when and by whom

Revision ID: 0015
Revises: 0017
Create Date: 2026-12-08 00:00:00

A round written by `survey import` (or the admin page's import) is a normal closed round;
these three columns say that it was imported, from which file, when and by whom (also in
the audit log and the research file's metadata). NULL for every round answered here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0017"  # ids reserved per branch; chained at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported_from", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("imported_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("imported_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE on both databases (SQLite 3.35+), as 0007: a batch copy of `round`
    # would trip over the tables whose foreign keys point at it.
    for column in ("imported_by", "imported_at", "imported_from"):
        op.execute(f"ALTER TABLE round DROP COLUMN {column}")
