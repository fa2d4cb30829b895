"""The audit log: who did what, to what, when. Never respondent data, passwords or tokens.

`record` adds a row to the caller's unit of work, so an event is stored exactly when the
change it describes is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.db.models import AuditEvent

#: The actor of changes made with the `survey` command.
COMMAND_LINE = "cli"
COLUMNS = ("at", "actor", "action", "target", "details")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record(
    session: Session,
    actor: str | None,
    action: str,
    target: str | None = None,
    *,
    at: dt.datetime | None = None,
    **details: Any,
) -> AuditEvent:
    """Add one event; `details` must be JSON-serialisable (dates as ISO text)."""
    event = AuditEvent(
        at=at or utcnow(), actor=actor, action=action, target=target, details=details
    )
    session.add(event)
    return event


def events(session: Session, action: str | None = None) -> list[AuditEvent]:
    """Events oldest first, optionally of one action (tests and a future admin page)."""
    stmt = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt))


def selected(
    session: Session,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    actor: str | None = None,
    actions: Sequence[str] | None = None,
    newest_first: bool = False,
) -> Iterator[AuditEvent]:
    """Events oldest first (or newest), streamed: from `since`, before `until`, by an actor
    whose e-mail contains `actor` (any case), of one of `actions`; the filter is SQL."""
    order = (
        (AuditEvent.at.desc(), AuditEvent.id.desc())
        if newest_first
        else (AuditEvent.at, AuditEvent.id)
    )
    stmt = select(AuditEvent).order_by(*order)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    if actor:
        stmt = stmt.where(func.lower(AuditEvent.actor).contains(actor.lower(), autoescape=True))
    if actions is not None:
        stmt = stmt.where(AuditEvent.action.in_(actions))
    yield from session.scalars(stmt.execution_options(yield_per=500))


def as_row(event: AuditEvent) -> tuple[str, ...]:
    """One event as text in COLUMNS order."""
    return (
        event.at.isoformat(timespec="seconds"),
        event.actor or "",
        event.action,
        event.target or "",
        json.dumps(event.details or {}, ensure_ascii=False, sort_keys=True),
    )


def rows(
    session: Session, since: dt.datetime | None = None, *, newest_first: bool = False
) -> Iterator[tuple[str, ...]]:
    """The log as text rows in COLUMNS order, oldest first (or newest), streamed."""
    for event in selected(session, since=since, newest_first=newest_first):
        yield as_row(event)
