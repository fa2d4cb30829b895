"""The mail worker's last sign of life, for the mail page; a round's scheduled reminder and
closing

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-07 21:30:00

One row, written by each pass of `survey mail send` (and the page's "Skicka nu"): when it
ran and what it did. Nothing about any person. A round gets `remind_days_before`,
`reminded_on` and `close_after_last_day` (false for every existing round), which the worker
carries out.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0009"  # the chain: 0006, 0010, 0007, 0008, 0009, 0012
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_worker_beat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_pass", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("round") as batch_op:
        batch_op.add_column(sa.Column("remind_days_before", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reminded_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "close_after_last_day", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    # Plain ALTER TABLE on both databases (SQLite 3.35+): a batch copy of `round` would
    # trip over the tables whose foreign keys point at it.
    for column in ("close_after_last_day", "reminded_on", "remind_days_before"):
        op.execute(f"ALTER TABLE round DROP COLUMN {column}")
    op.drop_table("mail_worker_beat")
