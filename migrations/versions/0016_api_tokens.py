"""Personal API tokens for the read-only API (issue 24)

Revision ID: 0016
Revises: 0017 (written on 0011; re-chained after main's chain)
Create Date: 2026-12-07 23:50:00

`api_token`: a user's token for /api/v1, only its SHA-256 kept, scoped to one förbund's
aggregates or to research, with an expiry, a revocation and its last use.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"  # ids reserved per branch; chained at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("scope IN ('aggregates', 'research')", name="api_token_scope"),
        sa.CheckConstraint(
            "(association_id IS NULL) = (scope = 'research')", name="api_token_association"
        ),
        sa.ForeignKeyConstraint(["association_id"], ["association.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("api_token") as batch:
        batch.create_index("ix_api_token_user_id", ["user_id"])


def downgrade() -> None:
    op.drop_table("api_token")
