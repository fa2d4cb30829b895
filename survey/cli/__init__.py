"""The `survey` command: set-up, questionnaires, rounds, invitations, exports, demo data,
serving. One module per group of commands; this one wires them into Flask's CLI."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from survey.db import migrations
from survey.db.migrations import SchemaState
from survey.errors import NotFound, SurveyError
from survey.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def settings() -> Settings:
    return current_app.extensions["survey"]


def open_session() -> Session:
    """A database session of the app the command runs in (close it: use `with`).

    Refused with what to run when the database is not at this code's revision, rather
    than a traceback from the first query that meets a missing table."""
    _require_current_schema()
    return current_app.extensions["survey_sessions"]()


_SCHEMA_ADVICE = {
    SchemaState.EMPTY: "the database has no tables yet: run `survey init` first (it creates "
    "them and loads the questionnaires)",
    SchemaState.LEGACY: "the database was made by an older version: run `survey init` "
    "(or `survey db upgrade`) first",
    SchemaState.BEHIND: "the database needs an upgrade: run `survey init` (or `survey db "
    "upgrade`) first",
    SchemaState.UNKNOWN: "the database was upgraded by a newer version of Samverkansmätaren "
    "than this one: install that version",
}


def _require_current_schema() -> None:
    """Checked once per command (two cheap queries); `init` and `demo` upgrade before."""
    if current_app.extensions.get("survey_schema_checked"):
        return
    try:
        found = migrations.state(current_app.extensions["survey_engine"])
    except OperationalError as exc:
        url = make_url(settings().database_url).render_as_string(hide_password=True)
        raise click.ClickException(f"cannot reach the database {url}: {exc.orig}") from None
    if found is not SchemaState.CURRENT:
        raise click.ClickException(_SCHEMA_ADVICE[found])
    current_app.extensions["survey_schema_checked"] = True


def domain_errors(command: F) -> F:
    """A domain error ends the command with its message: a name that matches nothing is a
    bad parameter (exit code 2), anything else refused exit code 1, as click does."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except NotFound as exc:
            raise click.BadParameter(f"{exc} (a round is named FÖRBUND/LABEL)") from None
        except SurveyError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def FORBUND_OPTION(**kwargs: Any) -> Callable[[F], F]:  # noqa: N802 - reads as a decorator
    """`--forbund SLUG` everywhere; `--association` is the spelling older scripts use."""
    kwargs.setdefault("help", "The förbund's short name, e.g. norrsund.")
    return click.option("--forbund", "--association", "slug", **kwargs)


def register_commands(app: Flask) -> None:
    from survey.cli import (
        accounts,
        assets,
        backups,
        database,
        export,
        figures,
        imports,
        instance,
        mail,
        rounds,
        saml,
    )

    for command in (
        instance.init_command,
        instance.load_questionnaire_command,
        instance.demo_command,
        instance.serve_command,
        rounds.invite_command,
        rounds.purge_drafts_command,
        rounds.forbund_group,
        rounds.round_group,
        export.export_command,
        imports.import_command,
        imports.export_rows_command,
        database.db_group,
        accounts.user_group,
        assets.collect_static_command,
        mail.mail_group,
        backups.backup_command,
        backups.restore_command,
        saml.saml_group,
        figures.figures_group,
    ):
        app.cli.add_command(command)
    # The group's older name, kept so scripts written for it go on working.
    app.cli.add_command(rounds.forbund_group, "association")


def main() -> None:
    from survey import create_app

    FlaskGroup(
        create_app=create_app,
        add_default_commands=False,
        help="Samverkansmätaren: survey administration.",
    )()
