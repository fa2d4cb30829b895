"""Set-up commands: create the database, load questionnaires, demo data, serve."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.cli import open_session
from survey.db import models
from survey.db.schema import create_schema, holds_real_rounds
from survey.instruments import catalog
from survey.instruments.questionnaire import QuestionnaireError, load_questionnaire


def _init_database() -> list[str]:
    create_schema(current_app.extensions["survey_engine"])
    directory = Path(current_app.config["QUESTIONNAIRE_DIR"])
    with open_session() as session:
        try:
            loaded = catalog.load_directory(session, directory)
        except QuestionnaireError as exc:
            raise click.ClickException(exc.describe()) from None
        session.commit()
        return [
            f"{row.key} v{row.version}" + ("" if created else " (already loaded)")
            for row, created in loaded
        ]


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database tables and load the questionnaires in questionnaires/."""
    for line in _init_database():
        click.echo(f"questionnaire {line}")
    click.echo(f"database ready: {_safe_url()}")


@click.command("load-questionnaire")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def load_questionnaire_command(path: Path) -> None:
    """Validate a questionnaire file and store it (a new key or version)."""
    create_schema(current_app.extensions["survey_engine"])
    try:
        q = load_questionnaire(path)
        with open_session() as session:
            row, created = catalog.save_questionnaire(session, q, str(path))
            session.commit()
    except QuestionnaireError as exc:
        raise click.ClickException(exc.describe()) from None
    state = "loaded" if created else "already loaded, unchanged"
    click.echo(
        f"{row.key} v{row.version}: {len(q.dimensions)} dimensions, "
        f"{len(q.items())} statements ({state})"
    )


@click.command("demo")
@click.option("--serve", is_flag=True, help="Start the web server afterwards.")
@click.option("--force", is_flag=True, help="Add demo data even beside real rounds.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo_command(serve: bool, force: bool, host: str, port: int) -> None:
    """Load a clearly labelled synthetic dataset (replacing any earlier demo data)."""
    from survey.demo import build_demo

    _init_database()
    with open_session() as session:
        if holds_real_rounds(session) and not force:
            raise click.ClickException(
                "this database holds real survey rounds; the demo will not mix synthetic data "
                "into it. Use another DATABASE_URL, or --force if you really mean it."
            )
        q_row = session.scalar(
            select(models.Questionnaire).order_by(
                models.Questionnaire.key, models.Questionnaire.version
            )
        )
        if q_row is None:
            raise click.ClickException("no questionnaire loaded: put one in questionnaires/")
        result = build_demo(session, q_row, dt.date.today())
        session.commit()
    click.echo(
        f"demo data: {result.associations} förbund, {result.responses} responses "
        f"in 2 rounds (synthetic)"
    )
    base = f"http://{host}:{port}"
    slug, tokens = next(iter(result.invitation_links.items()))
    click.echo(f"try answering as a respondent: {base}/r/{tokens[0]}")
    if serve:
        _serve(current_app._get_current_object(), host, port)  # type: ignore[attr-defined]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Start the web server and print its address."""
    _serve(current_app._get_current_object(), host, port)  # type: ignore[attr-defined]


def _serve(app: Flask, host: str, port: int) -> None:
    create_schema(app.extensions["survey_engine"])
    click.echo(f"Samverkansmätaren is running: open http://{host}:{port}/  (Ctrl+C stops it)")
    # Flask refuses app.run() inside its own CLI; werkzeug's server is what it would start.
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)
