"""Rounds in time order: a sequence per förbund

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-07 21:00:00

"Latest", "previous" and trends followed the label as a string, so "10" came before "9".
Each round gets its place in its förbund's time order, set when it is created. Existing
rounds are numbered from their labels, with runs of digits compared as numbers ("9" before
"10", "2025" before "2026"), ties by creation (id).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _natural(label: str) -> tuple:
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.findall(r"\d+|\D+", label)
    )


def upgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=True))
    bind = op.get_bind()
    rounds = sa.table(
        "round",
        sa.column("id", sa.Integer),
        sa.column("association_id", sa.Integer),
        sa.column("label", sa.String),
        sa.column("sequence", sa.Integer),
    )
    by_association: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    for rid, association_id, label in bind.execute(
        sa.select(rounds.c.id, rounds.c.association_id, rounds.c.label)
    ):
        by_association[association_id].append((rid, label))
    for members in by_association.values():
        members.sort(key=lambda m: (_natural(m[1]), m[0]))
        for place, (rid, _label) in enumerate(members, start=1):
            bind.execute(rounds.update().where(rounds.c.id == rid).values(sequence=place))
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.alter_column("sequence", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            "uq_round_association_id_sequence", ["association_id", "sequence"]
        )


def downgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_constraint("uq_round_association_id_sequence", type_="unique")
        batch_op.drop_column("sequence")
