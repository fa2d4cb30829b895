"""Creating and recognising the schema."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from survey.db import models


def create_schema(engine: Engine) -> None:
    models.Base.metadata.create_all(engine)


def schema_exists(engine: Engine) -> bool:
    return inspect(engine).has_table("response")
