"""Alembic's entry point. The app runs it through `survey.db.migrations`, handing over the
connection to migrate; `alembic …` run by a developer from the project root gets the
database URL from the app's settings (instance/config.py, DATABASE_URL), as `survey` does,
never from alembic.ini."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from survey.db import models
from survey.db.engine import make_engine
from survey.db.migrations import migration_connection

config = context.config
if config.config_file_name is not None:  # the alembic command: show what it runs
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    # The app factory reads the settings exactly as `survey` does (instance folder included).
    from survey import create_app

    return create_app().extensions["survey"].database_url


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=models.Base.metadata,
        # SQLite alters little in place: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """`alembic upgrade --sql`: the SQL written out instead of run."""
    url = database_url()
    context.configure(
        url=url,
        target_metadata=models.Base.metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif config.attributes.get("connection") is not None:
    run(config.attributes["connection"])
else:
    engine = make_engine(database_url())
    try:
        with migration_connection(engine) as connection:
            run(connection)
    finally:
        engine.dispose()
