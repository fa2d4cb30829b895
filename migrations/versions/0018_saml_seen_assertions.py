"""SAML log-in: the assertions already used, refused a second time

Revision ID: 0018
Revises: 0017 (reserved on 0011; the integrator re-chains)
Create Date: 2026-12-07 23:55:00

`saml_seen_assertion`: the SHA-256 of an IdP's entity id and an assertion's ID, kept until
the assertion's NotOnOrAfter has passed (survey/federation/saml/replay.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0016"  # ids reserved per branch; chained at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saml_seen_assertion",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("saml_seen_assertion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_saml_seen_assertion_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("saml_seen_assertion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saml_seen_assertion_expires_at"))
    op.drop_table("saml_seen_assertion")
