"""`survey backup` and `survey restore`: a consistent copy while the app runs, and putting
one back without silently losing newer answers."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.cli import domain_errors, settings
from survey.db import backup as backups
from survey.services import round_actions as rounds
from survey.services.figures import rebuild_figures


def _describe(summary: backups.Summary) -> str:
    return (
        f"{summary.responses} submitted responses, {summary.used_links} of {summary.links} "
        f"links used, {summary.rounds} rounds, {summary.users} users"
    )


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="The backup file to write (never overwritten).")  # fmt: skip
@with_appcontext
@domain_errors
def backup_command(out: Path) -> None:
    """Write a consistent backup of the database while the app may be running."""
    summary = backups.backup(current_app.extensions["survey_engine"], out)
    click.echo(f"backup written to {out}: {_describe(summary)}")


@click.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Restore even over a database with newer data.")
@click.option("--close-open-rounds/--keep-open-rounds", "close_open", default=None,
              help="Close the rounds left open (asked when not given).")  # fmt: skip
@with_appcontext
@domain_errors
def restore_command(source: Path, force: bool, close_open: bool | None) -> None:
    """Put a backup back in place of the database's content."""
    engine = current_app.extensions["survey_engine"]
    summary = backups.restore(engine, source, force=force)
    click.echo(f"restored {source}: {_describe(summary)}")
    with current_app.extensions["survey_sessions"]() as session:
        count = rebuild_figures(session, settings().min_group_size)
    click.echo(f"figures rebuilt for {count} published rounds (`survey figures rebuild`)")
    click.echo(
        "Note: links used after the backup was taken are usable again (their answers are "
        "not in the backup), so those respondents can answer again."
    )
    still_open = backups.open_rounds(engine)
    if not still_open:
        return
    names = ", ".join(f"{slug}/{label}" for slug, label in still_open)
    click.echo(f"Open rounds: {names}.")
    if close_open is None and sys.stdin.isatty():
        close_open = click.confirm("Close them now, so no link answers until you reopen?")
    if not close_open:
        click.echo("They stay open (close one with `survey round close FÖRBUND/LABEL`).")
        return
    with current_app.extensions["survey_sessions"]() as session:
        for slug, label in still_open:
            rounds.close_round(session, slug, label, dt.date.today(), actor="cli")
    click.echo(f"Closed: {names}.")
