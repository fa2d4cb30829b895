"""The publication snapshot (issue 23): a published round's figures, computed once

Revision ID: 0013
Revises: 0017 (written on 0011; re-chained after main's chain)
Create Date: 2026-12-07 23:50:00

`figure_snapshot` says a published round has its figures kept, at which k;
`snapshot_figure` holds them (per dimension for the whole förbund, per role and agency
report group, per statement), after k and complementary suppression. The rounds already
published get theirs here, at MIN_GROUP_SIZE from the environment (else 5): where
instance/config.py sets another k, run `survey figures rebuild` after the upgrade (pages
asking with another k compute live meanwhile, never differently).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0014"  # ids reserved per branch; chained at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "figure_snapshot",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id"),
    )
    op.create_table(
        "snapshot_figure",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("grp", sa.String(length=100), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        *[
            sa.Column(name, sa.Float(), nullable=True)
            for name in ("mean", "sd", "median", "variance", "dont_know_share")
        ],
        sa.Column("answers", sa.Integer(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        *[sa.Column(f"p{p}", sa.Integer(), nullable=True) for p in range(1, 6)],
        sa.ForeignKeyConstraint(["round_id"], ["figure_snapshot.round_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "kind", "position"),
    )
    _build_published()


def _build_published() -> None:
    """The rounds already published get their snapshot, computed by the code that computes
    the pages' figures (so the two cannot differ)."""
    from survey.disclosure import configured_k
    from survey.results import snapshot

    session = Session(bind=op.get_bind())
    snapshot.rebuild_all(session, configured_k(os.environ.get("MIN_GROUP_SIZE")))
    session.flush()


def downgrade() -> None:
    op.drop_table("snapshot_figure")
    op.drop_table("figure_snapshot")
