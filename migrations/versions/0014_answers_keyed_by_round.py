"""A round's answers together: answers keyed by (round, response, statement)

Revision ID: 0014
Revises: 0017 (written on 0011; re-chained after main's chain)
Create Date: 2026-12-07 23:55:00

`answer` gets `round_id` (its response's round, kept equal by a composite foreign key onto
a new unique index `response (round_id, id)`) and the primary key (round_id, response_id,
item_id), on PostgreSQL with `value` in the index (an index-only read of a round's
answers). SQLite keeps the table `WITHOUT ROWID`, so it is stored in that order. Response
keys stay random, so within a round the answers lie in no order of submission
(docs/design.md, "One round's answers together").

The table is written anew (SQLite cannot change a primary key in place; on PostgreSQL a
new table is also the quickest way): every answer is carried over, in the order of the new
key, then the old table is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0018"  # ids reserved per branch; chained at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _answer_table(name: str, *, keyed_by_round: bool, postgresql: bool) -> None:
    """Create the answer table under `name`: the new shape or (downgrade) the old one. On
    PostgreSQL the keys are added after the rows (quicker, and the old table's names are
    still taken until it is dropped)."""
    columns = [
        *([sa.Column("round_id", sa.Integer(), nullable=False)] if keyed_by_round else []),
        sa.Column("response_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
    ]
    keys = (
        []
        if postgresql
        else [
            sa.PrimaryKeyConstraint(*_key(keyed_by_round)),
            *_foreign_keys(keyed_by_round),
        ]
    )
    op.create_table(
        name,
        *columns,
        *keys,
        sa.CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="answer_value"),
        sqlite_with_rowid=False,
    )


def _key(keyed_by_round: bool) -> list[str]:
    return ["round_id", "response_id", "item_id"] if keyed_by_round else ["response_id", "item_id"]


#: name, columns, referred table, its columns, on delete
FOREIGN_KEYS = {
    True: [
        ("answer_response_fkey", ["round_id", "response_id"], "response", ["round_id", "id"],
         "CASCADE"),
        ("answer_item_id_fkey", ["item_id"], "item", ["id"], None),
    ],
    False: [
        ("answer_response_id_fkey", ["response_id"], "response", ["id"], "CASCADE"),
        ("answer_item_id_fkey", ["item_id"], "item", ["id"], None),
    ],
}  # fmt: skip


def _foreign_keys(keyed_by_round: bool) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            columns, [f"{table}.{c}" for c in referred], name=name, ondelete=ondelete
        )
        for name, columns, table, referred, ondelete in FOREIGN_KEYS[keyed_by_round]
    ]


def _rebuild(*, keyed_by_round: bool) -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    _answer_table("answer_new", keyed_by_round=keyed_by_round, postgresql=postgresql)
    if keyed_by_round:
        op.execute(
            "INSERT INTO answer_new (round_id, response_id, item_id, value) "
            "SELECT r.round_id, a.response_id, a.item_id, a.value "
            "FROM answer a JOIN response r ON r.id = a.response_id "
            "ORDER BY r.round_id, a.response_id, a.item_id"
        )
    else:
        op.execute(
            "INSERT INTO answer_new (response_id, item_id, value) "
            "SELECT response_id, item_id, value FROM answer ORDER BY response_id, item_id"
        )
    op.drop_index("ix_answer_item_id", table_name="answer")
    op.drop_table("answer")
    op.rename_table("answer_new", "answer")
    if postgresql:
        include = " INCLUDE (value)" if keyed_by_round else ""
        key = ", ".join(_key(keyed_by_round))
        op.execute(f"ALTER TABLE answer ADD CONSTRAINT answer_pkey PRIMARY KEY ({key}){include}")
        for name, columns, table, referred, ondelete in FOREIGN_KEYS[keyed_by_round]:
            op.create_foreign_key(name, "answer", table, columns, referred, ondelete=ondelete)
    op.create_index("ix_answer_item_id", "answer", ["item_id"])


def upgrade() -> None:
    op.create_index("response_round_key", "response", ["round_id", "id"], unique=True)
    _rebuild(keyed_by_round=True)


def downgrade() -> None:
    _rebuild(keyed_by_round=False)
    op.drop_index("response_round_key", table_name="response")
