"""The number invited to a round, fixed when it closes

Revision ID: 0007
Revises: 0010
Create Date: 2026-12-07 21:40:00

The change intervals' finite-population correction used the round's personal links as
they are *now*, so revoking links after publication changed published figures. The
number is now stored on the round when it stops taking answers. Rounds already closed or
published get it from their links as they are at the upgrade (personal links, none when
the round has a shared link: anyone could answer); open and draft rounds get it when
they close.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0010"  # after main's round sequence
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("round", sa.Column("invited", sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE round SET invited = (
            SELECT CASE
                WHEN SUM(CASE WHEN kind = 'shared' THEN 1 ELSE 0 END) > 0 THEN NULL
                ELSE NULLIF(SUM(CASE WHEN kind = 'personal' THEN 1 ELSE 0 END), 0)
            END
            FROM invitation WHERE invitation.round_id = round.id
        )
        WHERE state IN ('closed', 'published')
        """
    )


def downgrade() -> None:
    # Plain ALTER TABLE on both databases (SQLite 3.35+): a batch copy of `round` would
    # trip over the tables whose foreign keys point at it.
    op.execute("ALTER TABLE round DROP COLUMN invited")
