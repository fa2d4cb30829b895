"""Drafts sealed with their link

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 21:20:00

A draft's answers are kept encrypted under a key derived from its link
(survey/answering/sealing.py), in one new column. The server never stores a link, so
drafts saved before this revision cannot be sealed here: they keep their plain rows until
their next save, which seals them and deletes those rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"  # written on 0006; after main's 0007
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("draft", sa.Column("sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    sealed = op.get_bind().scalar(sa.text("SELECT count(*) FROM draft WHERE sealed IS NOT NULL"))
    if sealed:
        raise RuntimeError(
            f"revision 0008 cannot be undone while {sealed} draft(s) are sealed: only their "
            "links open them (purge or let them be submitted first)"
        )
    with op.batch_alter_table("draft") as batch:
        batch.drop_column("sealed")
