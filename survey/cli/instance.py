"""Set-up commands: create the database, load questionnaires, demo data, serve."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, make_server

from survey import demo
from survey.cli import domain_errors, open_session, settings
from survey.cli.database import describe, upgrade_database
from survey.cli.test_idp import start_test_idp
from survey.cli.test_saml_idp import start_test_saml_idp
from survey.db import audit
from survey.db.migrations import SchemaState
from survey.instruments import services as instruments
from survey.instruments.questionnaire import QuestionnaireError


def _prepare_database(report: bool = False) -> None:
    """Create or upgrade the schema to the newest revision, saying so when that changed
    anything (or always, when asked: `survey init`)."""
    done = upgrade_database()
    if report or done.before is not SchemaState.CURRENT:
        click.echo(describe(done))


def _init_database() -> list[str]:
    _prepare_database(report=True)
    with open_session() as session:
        try:
            loaded = instruments.load_folder(
                session, settings().questionnaire_dir, actor=audit.COMMAND_LINE
            )
        except QuestionnaireError as exc:
            raise click.ClickException(exc.describe()) from None
        return [
            f"{row.key} v{row.version}" + ("" if created else " (already loaded)")
            for row, created in loaded
        ]


@click.command("init")
@with_appcontext
@domain_errors
def init_command() -> None:
    """Create or upgrade the database to the newest revision and load the questionnaires
    in questionnaires/."""
    for line in _init_database():
        click.echo(f"questionnaire {line}")
    click.echo(f"database ready: {_safe_url()}")


@click.command("load-questionnaire")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@domain_errors
def load_questionnaire_command(path: Path) -> None:
    """Validate a questionnaire file and store it (a new key or version)."""
    _prepare_database()
    try:
        with open_session() as session:
            row, created, q = instruments.load_file(session, path, actor=audit.COMMAND_LINE)
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
@click.option(
    "--test-idp",
    is_flag=True,
    help="Serve too, with a test OpenID provider on loopback to log in through (demo only).",
)
@click.option("--idp-port", default=5001, show_default=True, help="The test provider's port.")
@click.option(
    "--test-saml-idp",
    is_flag=True,
    help="Serve too, with a test SAML IdP on loopback to log in through (demo only).",
)
@click.option("--saml-idp-port", default=5002, show_default=True, help="The test SAML IdP's port.")
@with_appcontext
@domain_errors
def demo_command(
    serve: bool,
    force: bool,
    host: str,
    port: int,
    test_idp: bool,
    idp_port: int,
    test_saml_idp: bool,
    saml_idp_port: int,
) -> None:
    """Load a clearly labelled synthetic dataset (replacing any earlier demo data)."""
    _init_database()
    with open_session() as session:
        result = demo.load_demo(session, dt.date.today(), force=force, k=settings().min_group_size)
    click.echo(
        f"demo data: {result.associations} förbund, {result.responses} responses "
        f"in 3 rounds (synthetic)"
    )
    server = _bind(host, port) if serve or test_idp or test_saml_idp else None
    app = _public_at(host, server.server_port if server else port)
    slug, tokens = next(iter(result.invitation_links.items()))
    click.echo(f"try answering as a respondent: {settings().link('/r/' + tokens[0])}")
    _print_demo_logins(result.logins)
    if test_idp:
        start_test_idp(app, host, idp_port, result.logins)
    if test_saml_idp:
        start_test_saml_idp(app, host, saml_idp_port, result.logins)
    if server is not None:
        _serve(app, server)


def _print_demo_logins(logins: tuple[demo.DemoLogin, ...]) -> None:
    """How to log in as each demo user (all share one published password)."""
    if not logins:
        click.echo("no demo users: this database holds real rounds or users")
        return
    click.echo(
        f"log in at {settings().link('/login')} as a demo user (password: {demo.DEMO_PASSWORD}):"
    )
    for login in logins:
        where = f" in {login.forbund}" if login.forbund else ""
        code = f"  code: TOTP secret {login.totp_secret}" if login.totp_secret else ""
        click.echo(f"  {login.email:<24} {login.role}{where}{code}")
    if any(login.totp_secret for login in logins):
        secret = next(login.totp_secret for login in logins if login.totp_secret)
        click.echo(
            "  the current code of a TOTP secret: "
            f"python -c \"import pyotp; print(pyotp.TOTP('{secret}').now())\""
        )


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
@domain_errors
def serve_command(host: str, port: int) -> None:
    """Start the web server and print its address (port 0: any free port)."""
    server = _bind(host, port)
    _serve(_public_at(host, server.server_port), server)


def _public_at(host: str, port: int) -> Flask:
    """Without PUBLIC_URL, links point at the address this server listens on."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    config = settings()
    if not config.public_url_set:
        local = f"http://{host}:{port}"
        app.extensions["survey"] = dataclasses.replace(config, public_url=local)
    return app


def _bind(host: str, port: int) -> BaseWSGIServer:
    """Take the port before saying the app is running, so the address printed is ours
    (a port another program holds is an error here, not a page from someone else)."""
    try:
        return make_server(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _serve(app: Flask, server: BaseWSGIServer) -> None:
    with app.app_context():
        _prepare_database()
        config = settings()
    address = f"http://{server.host}:{server.server_port}/"
    click.echo(f"Samverkansmätaren is running: open {address}  (Ctrl+C stops it)")
    if not config.public_url_set:
        click.echo(
            f"note: PUBLIC_URL is not set, so links are built on {config.public_url}; set "
            "PUBLIC_URL to the address people use before handing out links."
        )
    try:
        server.serve_forever()
    finally:
        server.server_close()


def _safe_url() -> str:
    return make_url(settings().database_url).render_as_string(hide_password=True)
