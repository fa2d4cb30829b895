"""How many responses a round received per day, for the response rate's chart

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 19:00:00

A count per round and day, joined to nothing: responses keep no date. Rounds answered
before this revision have no rows; their chart starts on the day of the upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission_day",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("submitted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "day"),
    )


def downgrade() -> None:
    op.drop_table("submission_day")
