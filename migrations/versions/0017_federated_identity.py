"""Federated log-in (OpenID Connect, SAML): linked identities, two-factor by assurance

Revision ID: 0017
Revises: 0011
Create Date: 2026-12-08 00:00:00

`federated_identity`: a user's account at an identity provider, unique by (issuer,
subject), linked on the first federated log-in (docs/operations.md, "Federated log-in").
`login_session.federated_two_factor`: the session began at a provider whose level of
assurance counts as two factors (false for every existing session).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "federated_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject"),
    )
    with op.batch_alter_table("federated_identity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_federated_identity_user_id"), ["user_id"], unique=False
        )
    with op.batch_alter_table("login_session") as batch_op:
        batch_op.add_column(
            sa.Column(
                "federated_two_factor", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    op.execute("ALTER TABLE login_session DROP COLUMN federated_two_factor")
    with op.batch_alter_table("federated_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_federated_identity_user_id"))
    op.drop_table("federated_identity")
