"""The `survey` command: set-up, questionnaires, rounds, invitations, exports, demo data,
serving. One module per group of commands; this one wires them into Flask's CLI."""

from __future__ import annotations

from flask import Flask, current_app
from flask.cli import FlaskGroup
from sqlalchemy.orm import Session


def open_session() -> Session:
    """A database session of the app the command runs in (close it: use `with`)."""
    return current_app.extensions["survey_sessions"]()


def register_commands(app: Flask) -> None:
    from survey.cli import export, instance, rounds

    for command in (
        instance.init_command,
        instance.load_questionnaire_command,
        instance.demo_command,
        instance.serve_command,
        rounds.invite_command,
        rounds.purge_drafts_command,
        rounds.association_group,
        rounds.round_group,
        export.export_command,
    ):
        app.cli.add_command(command)


def main() -> None:
    from survey import create_app

    FlaskGroup(
        create_app=create_app,
        add_default_commands=False,
        help="Samverkansmätaren: survey administration.",
    )()
