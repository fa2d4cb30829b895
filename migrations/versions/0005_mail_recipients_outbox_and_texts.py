"""E-mail invitations and reminders: a round's addresses, the outbox, a förbund's texts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:40:19

`mail_recipient` (address, language, a random seed that gives the person's link only with
SECRET_KEY; no reference to an invitation, draft or response), `mail_message` (the outbox
the `survey mail send` worker claims from: kind, status, attempts, last error, times; never
the text, which would hold the link) and `mail_text` (a förbund's own subject and body per
kind and language). Addresses are deleted when their round closes (README, "E-mail
invitations and reminders"). New tables only: no existing row moves.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('invitation', 'reminder')", name="mail_text_kind"),
        sa.CheckConstraint("language IN ('sv', 'en')", name="mail_text_language"),
        sa.ForeignKeyConstraint(["association_id"], ["association.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("association_id", "kind", "language"),
    )
    with op.batch_alter_table("mail_text", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_text_association_id"), ["association_id"], unique=False
        )

    op.create_table(
        "mail_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("link_seed", sa.String(length=32), nullable=False),
        sa.CheckConstraint("language IN ('sv', 'en')", name="mail_recipient_language"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("link_seed"),
        sa.UniqueConstraint("round_id", "address"),
    )
    with op.batch_alter_table("mail_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_recipient_round_id"), ["round_id"], unique=False)

    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('invitation', 'reminder')", name="mail_message_kind"),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'interrupted', 'cancelled')",
            name="mail_message_status",
        ),
        sa.ForeignKeyConstraint(["recipient_id"], ["mail_recipient.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.create_index("ix_mail_message_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mail_message_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mail_message_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_message_round_id"))
        batch_op.drop_index(batch_op.f("ix_mail_message_recipient_id"))
        batch_op.drop_index("ix_mail_message_due")

    op.drop_table("mail_message")
    with op.batch_alter_table("mail_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_recipient_round_id"))

    op.drop_table("mail_recipient")
    with op.batch_alter_table("mail_text", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_text_association_id"))

    op.drop_table("mail_text")
