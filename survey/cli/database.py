"""`survey db …`: the database's schema revision, and upgrading it to this code's."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine

from survey.cli import domain_errors
from survey.db import migrations
from survey.db.migrations import SchemaState, Upgrade


def engine() -> Engine:
    return current_app.extensions["survey_engine"]


def upgrade_database() -> Upgrade:
    """Create, adopt or upgrade the schema (init, demo, serve and `db upgrade` share it)."""
    return migrations.upgrade(engine())


def describe(done: Upgrade) -> str:
    """One line on what an upgrade did, with the revision ids."""
    if done.before is SchemaState.EMPTY:
        return f"database created at revision {done.to_revision}"
    if done.before is SchemaState.CURRENT:
        return f"database already at the newest revision {done.to_revision}"
    adopted = (
        f"made before migrations, its tables checked and stamped revision {done.from_revision}; "
        if done.before is SchemaState.LEGACY
        else ""
    )
    if done.from_revision == done.to_revision:
        return f"database {adopted}now at the newest revision {done.to_revision}"
    return f"database {adopted}upgraded from revision {done.from_revision} to {done.to_revision}"


@click.group("db")
def db_group() -> None:
    """The database schema: which revision it is at, and upgrading it."""


@db_group.command("upgrade")
@with_appcontext
@domain_errors
def db_upgrade_command() -> None:
    """Bring the database to the newest revision (also one made before migrations)."""
    click.echo(describe(upgrade_database()))


@db_group.command("current")
@with_appcontext
@domain_errors
def db_current_command() -> None:
    """Print the database's revision and the newest one this version knows."""
    revision, newest = migrations.current(engine()), migrations.head()
    notes = {
        SchemaState.CURRENT: "the newest",
        SchemaState.BEHIND: f"behind the newest, {newest}: run survey db upgrade",
        SchemaState.UNKNOWN: f"unknown to this version, whose newest is {newest}",
        SchemaState.LEGACY: "tables made before migrations: run survey db upgrade",
        SchemaState.EMPTY: "an empty database: run survey init",
    }
    click.echo(f"{revision or 'none'} ({notes[migrations.state(engine())]})")
