"""A förbund's member agencies and its privacy contact

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 18:45:00

The admin page for a förbund edits its member agencies (free text, one per line) and the
contact the privacy notice names for questions about personal data. Existing förbund get
empty texts: the privacy notice then falls back to the installation's contact.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("association", schema=None) as batch_op:
        batch_op.add_column(sa.Column("members", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("privacy_contact", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("association", schema=None) as batch_op:
        batch_op.drop_column("privacy_contact")
        batch_op.drop_column("members")
