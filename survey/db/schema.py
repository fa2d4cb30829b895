"""Engine and schema set-up, shared by the web app, the CLI and the benchmarks."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from survey.db import models


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def create_schema(engine: Engine) -> None:
    models.Base.metadata.create_all(engine)


def schema_exists(engine: Engine) -> bool:
    return inspect(engine).has_table("response")


def holds_real_rounds(session: Session) -> bool:
    """True when any round belongs to a förbund that is not demo data."""
    stmt = (
        select(models.Round.id)
        .join(models.Association)
        .where(models.Association.is_demo.is_(False))
        .limit(1)
    )
    return session.scalar(stmt) is not None
