"""Drafts apart from submitted responses; random response keys; published rounds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00

Anonymity by design (README, "How an answer becomes anonymous"): answers in progress move
to `draft` / `draft_answer` / `draft_comment`, which the invitation points at; submitted
responses are kept under random 52-bit keys, without state, save time or submission date,
and on SQLite `response`, `answer` and `comment` are WITHOUT ROWID. `invitation` keeps only
whether it was used; `round` may be 'published'.

The data moves without loss. Every response in progress becomes a draft (its invitation
points at the draft). Every submitted response is written anew under a fresh random key,
in random order, into freshly created tables: its old sequential id, which ordered the
submissions, survives nowhere (the old tables and their sequences are dropped, and the
old-to-new mapping lives only in this process's memory). Closed rounds stay closed: their
results are hidden until an administrator publishes them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Rows per INSERT: large enough to be quick, small enough for any driver's limits.
CHUNK = 1000
#: The columns a draft and a response share with the old response (besides the round).
PROFILE = ("language", "role", "agency", "years")

# Frozen views of the tables as this revision reads and writes them (never the models,
# which move on with later revisions).
old_response = sa.table(
    "response",
    sa.column("id", sa.Integer),
    sa.column("round_id", sa.Integer),
    sa.column("state", sa.String),
    *(sa.column(name, sa.String) for name in PROFILE),
    sa.column("saved_at", sa.DateTime),
)
old_answer = sa.table("answer", sa.column("response_id"), sa.column("item_id"), sa.column("value"))
old_comment = sa.table(
    "comment", sa.column("response_id"), sa.column("dimension_id"), sa.column("text")
)
invitation = sa.table(
    "invitation",
    sa.column("response_id"),
    sa.column("used_on"),
    sa.column("draft_id"),
    sa.column("used", sa.Boolean),
)


class OldAnswers(NamedTuple):
    """Everything the old `response`, `answer` and `comment` held, by old response id.
    (Not a dataclass: Alembic loads a revision outside `sys.modules`, where dataclasses
    cannot resolve postponed annotations.)"""

    responses: list[dict[str, Any]]
    answers: dict[int, list[tuple[int, int | None]]]
    comments: dict[int, list[tuple[int, str]]]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # Pages freed by the dropped tables are zeroed, not left holding the old ids (the
        # app's connections have it on already; alembic's own ones may not).
        op.execute("PRAGMA secure_delete=ON")
    create_draft_tables()
    add_invitation_columns()
    old = read_old_answers(bind)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive UTC, as the app saves
    move_drafts(bind, old, now)
    drop_invitation_columns()
    recreate_response_tables()
    insert_submitted(bind, old)
    allow_published_rounds()


def downgrade() -> None:
    raise NotImplementedError(
        "revision 0002 cannot be undone: submitted responses now have random keys, and the "
        "order of submission their old sequential ids carried was deliberately destroyed "
        "(restore a backup taken before the upgrade instead)"
    )


def create_draft_tables() -> None:
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("agency", sa.String(length=40), nullable=True),
        sa.Column("years", sa.String(length=40), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_draft_round_id", "draft", ["round_id"])
    op.create_table(
        "draft_answer",
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="draft_answer_value"),
        sa.ForeignKeyConstraint(["draft_id"], ["draft.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("draft_id", "item_id"),
    )
    op.create_table(
        "draft_comment",
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["dimension_id"], ["dimension.id"]),
        sa.ForeignKeyConstraint(["draft_id"], ["draft.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("draft_id", "dimension_id"),
    )


def add_invitation_columns() -> None:
    """`draft_id` and `used` beside the old columns, which the data still needs."""
    # The models' foreign key has no name (PostgreSQL names it, SQLite keeps none), and
    # batch mode adds only named constraints: on SQLite it comes with the recreated table,
    # pointing at a column object since batch mode's metadata has no `draft` table.
    draft_id = sa.Table("draft", sa.MetaData(), sa.Column("id", sa.Integer)).c.id
    draft_fk = sa.ForeignKeyConstraint(["draft_id"], [draft_id], ondelete="SET NULL")
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "invitation", recreate="always" if sqlite else "auto", table_args=(draft_fk,)
    ) as batch:
        batch.add_column(sa.Column("draft_id", sa.Integer(), nullable=True))
        # A server default only to fill the existing rows; dropped once they are set.
        batch.add_column(sa.Column("used", sa.Boolean(), nullable=False, server_default=sa.false()))
    if not sqlite:
        op.create_foreign_key(
            None, "invitation", "draft", ["draft_id"], ["id"], ondelete="SET NULL"
        )


def read_old_answers(bind: Connection) -> OldAnswers:
    responses = [dict(row) for row in bind.execute(sa.select(old_response)).mappings()]
    answers: defaultdict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for response_id, item_id, value in bind.execute(sa.select(old_answer)):
        answers[response_id].append((item_id, value))
    comments: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    for response_id, dimension_id, text in bind.execute(sa.select(old_comment)):
        comments[response_id].append((dimension_id, text))
    return OldAnswers(responses, dict(answers), dict(comments))


def move_drafts(bind: Connection, old: OldAnswers, now: dt.datetime) -> None:
    """Each response in progress becomes a draft with its answers and comments, and the
    invitation that pointed at it points at the draft. Then `used` says what `used_on`
    did, without the date."""
    draft = sa.table(
        "draft",
        sa.column("id"),
        sa.column("round_id"),
        *(sa.column(name) for name in PROFILE),
        sa.column("saved_at", sa.DateTime),
    )
    for response in old.responses:
        if response["state"] != "in_progress":
            continue
        values = {name: response[name] for name in ("round_id", *PROFILE)}
        values["saved_at"] = response["saved_at"] or now
        draft_id = bind.execute(draft.insert().values(values).returning(draft.c.id)).scalar_one()
        insert_rows(
            bind,
            "draft_answer",
            ("draft_id", "item_id", "value"),
            [(draft_id, *row) for row in old.answers.get(response["id"], [])],
        )
        insert_rows(
            bind,
            "draft_comment",
            ("draft_id", "dimension_id", "text"),
            [(draft_id, *row) for row in old.comments.get(response["id"], [])],
        )
        bind.execute(
            invitation.update()
            .where(invitation.c.response_id == response["id"])
            .values(draft_id=draft_id)
        )
    bind.execute(invitation.update().values(used=invitation.c.used_on.is_not(None)))


def drop_invitation_columns() -> None:
    """The link to a response (set only while in progress, now `draft_id`) and the date
    of use go; on PostgreSQL the foreign key goes with its column, on SQLite the batch
    copy leaves out a constraint whose column is gone."""
    with op.batch_alter_table("invitation") as batch:
        batch.alter_column("used", server_default=None, existing_type=sa.Boolean())
        batch.drop_column("response_id")
        batch.drop_column("used_on")


def recreate_response_tables() -> None:
    """Dropped and made anew rather than altered: no page, row version or sequence of the
    old tables is kept, and SQLite can only make a table WITHOUT ROWID by creating it."""
    op.drop_table("comment")
    op.drop_table("answer")
    op.drop_table("response")
    op.create_table(
        "response",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("agency", sa.String(length=40), nullable=True),
        sa.Column("years", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_response_round_id", "response", ["round_id"])
    op.create_table(
        "answer",
        sa.Column("response_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="answer_value"),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("response_id", "item_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_answer_item_id", "answer", ["item_id"])
    op.create_table(
        "comment",
        sa.Column("response_id", sa.BigInteger(), nullable=False),
        sa.Column("dimension_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["dimension_id"], ["dimension.id"]),
        sa.ForeignKeyConstraint(["response_id"], ["response.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("response_id", "dimension_id"),
        sqlite_with_rowid=False,
    )


def insert_submitted(bind: Connection, old: OldAnswers) -> None:
    """Each submitted response under a new random key, inserted in the order of those
    keys, so neither the keys nor the physical order of rows follow the submissions."""
    taken = {response["id"] for response in old.responses}  # no key may equal an old id
    keyed = []
    for response in old.responses:
        if response["state"] == "submitted":
            key = new_key(taken)
            keyed.append((key, response))
    keyed.sort(key=lambda pair: pair[0])
    insert_rows(
        bind,
        "response",
        ("id", "round_id", *PROFILE),
        [(key, r["round_id"], *(r[name] for name in PROFILE)) for key, r in keyed],
    )
    insert_rows(
        bind,
        "answer",
        ("response_id", "item_id", "value"),
        [(key, *row) for key, r in keyed for row in old.answers.get(r["id"], [])],
    )
    insert_rows(
        bind,
        "comment",
        ("response_id", "dimension_id", "text"),
        [(key, *row) for key, r in keyed for row in old.comments.get(r["id"], [])],
    )


def new_key(taken: set[int]) -> int:
    """52 bits with the top one set (exact in Excel, SPSS and JavaScript), as
    `models.random_key` makes them; written out here because a revision must not change
    when the models do."""
    while True:
        key = (1 << 51) | secrets.randbits(51)
        if key not in taken:
            taken.add(key)
            return key


def insert_rows(bind: Connection, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
    target = sa.table(table, *(sa.column(name) for name in columns))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        bind.execute(target.insert(), [dict(zip(columns, row, strict=True)) for row in chunk])


def allow_published_rounds() -> None:
    with op.batch_alter_table("round") as batch:
        batch.drop_constraint("round_state", type_="check")
        batch.create_check_constraint(
            "round_state", sa.text("state IN ('draft', 'open', 'closed', 'published')")
        )
