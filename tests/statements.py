"""Counting the SQL statements a piece of code sends, for the statement budgets.

Counted where the driver is handed a statement (`before_cursor_execute` on the app's
engine), so lazy loads, autoflushes and "executemany" batches each count once, exactly as
the database sees them; connection set-up (SQLite pragmas) goes past it and is not counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sql)

    def __str__(self) -> str:
        """The statements themselves, for a failing budget's message."""
        lines = (f"{i}. {' '.join(s.split())[:200]}" for i, s in enumerate(self.sql, 1))
        return f"{self.count} statements:\n" + "\n".join(lines)


@contextmanager
def count_statements(app: Flask) -> Iterator[Statements]:
    """Every statement the app's engine sends inside the block."""
    engine = app.extensions["survey_engine"]
    seen = Statements()

    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        seen.sql.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def count_lazy_loads() -> Iterator[list[str]]:
    """Every relationship the ORM loads on access (or by `selectinload`) inside the block,
    by its name: lazy loads go through the session like any ORM statement."""
    seen: list[str] = []

    def record(state: ORMExecuteState) -> None:
        if state.is_relationship_load:
            seen.append(str(state.loader_strategy_path))

    event.listen(Session, "do_orm_execute", record)
    try:
        yield seen
    finally:
        event.remove(Session, "do_orm_execute", record)
