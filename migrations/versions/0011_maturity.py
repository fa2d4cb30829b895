"""Maturity (issue 21): a dimension's level question stored beside its statements

Revision ID: 0011
Revises: 0012 (written on 0006; re-chained after main's chain)
Create Date: 2026-12-07 21:00:00

`item.kind` tells a statement ("statement", scored) from a dimension's level question asked
now ("now") and in two years ("want"), which are answered like statements but never scored.
Every existing item is a statement. A consensus workshop per published round
(`workshop`) and its agreed current and target level per dimension (`agreed_level`);
improvement actions per dimension with owner, due date and status (`action`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0012"  # chain: 0006 0010 0007 0008 0009 0012 0011
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=10), server_default="statement", nullable=False)
        )
        batch.create_check_constraint("item_kind", "kind IN ('statement', 'now', 'want')")
    op.create_table(
        "workshop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id"),
    )
    op.create_table(
        "agreed_level",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=40), nullable=False),
        sa.Column("current_level", sa.Integer(), nullable=True),
        sa.Column("target_level", sa.Integer(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "current_level IS NULL OR current_level BETWEEN 1 AND 5", name="agreed_current"
        ),
        sa.CheckConstraint(
            "target_level IS NULL OR target_level BETWEEN 1 AND 5", name="agreed_target"
        ),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workshop_id", "dimension"),
    )

    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'cancelled')", name="action_status"
        ),
        sa.ForeignKeyConstraint(["association_id"], ["association.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_action_association_id", "action", ["association_id"])


def downgrade() -> None:
    op.drop_index("ix_action_association_id", table_name="action")
    op.drop_table("action")
    op.drop_table("agreed_level")
    op.drop_table("workshop")
    with op.batch_alter_table("item") as batch:
        batch.drop_constraint("item_kind", type_="check")
        batch.drop_column("kind")
