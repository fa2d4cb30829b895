"""Maturity (issue 21): a dimension's level question stored beside its statements

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-07 21:00:00

`item.kind` tells a statement ("statement", scored) from a dimension's level question asked
now ("now") and in two years ("want"), which are answered like statements but never scored.
Every existing item is a statement.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=10), server_default="statement", nullable=False)
        )
        batch.create_check_constraint("item_kind", "kind IN ('statement', 'now', 'want')")


def downgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.drop_constraint("item_kind", type_="check")
        batch.drop_column("kind")
