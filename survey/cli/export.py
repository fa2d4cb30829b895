"""`survey export`: the researcher's dataset or the board's workbook to a file."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.cli import open_session, settings
from survey.db.schema import schema_exists
from survey.errors import ExportRefused, NotFound


@click.command("export")
@click.option("--kind", type=click.Choice(["research", "board"]), required=True)
@click.option("--round", "rounds", multiple=True, help="Round label, e.g. 2026 (repeatable).")
@click.option(
    "--forbund", "--association", "associations", multiple=True, help="Förbund slug (repeatable)."
)
@click.option("--questionnaire", help="Questionnaire key.")
@click.option("--version", type=int, help="Questionnaire version.")
@click.option("--comments", is_flag=True, help="Research: add the free-text comments sheet.")
@click.option(
    "--sep", type=click.Choice(["comma", "semicolon"]), default="comma", show_default=True
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_command(
    kind: str,
    rounds: tuple[str, ...],
    associations: tuple[str, ...],
    questionnaire: str | None,
    version: int | None,
    comments: bool,
    sep: str,
    lang: str,
    out: Path,
) -> None:
    """Export a researcher's dataset (.xlsx or .csv) or a board's workbook (.xlsx)."""
    from survey.exports import research
    from survey.exports.board_workbook import write_board_workbook
    from survey.exports.selection import ExportFilter, response_counts, select_rounds

    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv") or (kind == "board" and suffix == ".csv"):
        allowed = ".xlsx" if kind == "board" else ".xlsx or .csv"
        raise click.BadParameter(f"a {kind} export is written to {allowed}", param_hint="--out")
    if comments and (kind == "board" or suffix == ".csv"):
        raise click.BadParameter("comments come only in the research workbook (.xlsx)")
    if not schema_exists(current_app.extensions["survey_engine"]):
        raise click.ClickException("the database has no tables yet: run `survey init` first")
    k = settings().min_group_size
    flt = ExportFilter(rounds, associations, questionnaire, version)
    with open_session() as session:
        try:
            selection = select_rounds(session, flt)
            if kind == "board":
                with _replacing(out) as fh:
                    write_board_workbook(session, selection, fh, k=k, lang=lang)
                click.echo(f"{len(selection.rounds)} round(s) written to {out}")
                return
            research.research_questionnaire(session, selection)  # refuse a version mix first
            total = sum(response_counts(session, selection).values())
            with (
                _replacing(out) as fh,
                click.progressbar(length=total, label=f"Exporting {total} responses") as bar,
            ):
                if suffix == ".csv":
                    separator = research.SEPARATORS[sep]
                    for chunk in research.research_csv(session, selection, separator, bar.update):
                        fh.write(chunk)
                else:
                    research.write_research_workbook(
                        session, selection, fh, k=k, include_comments=comments, progress=bar.update
                    )
        except (NotFound, ExportRefused) as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{total} responses from round(s) {', '.join(selection.labels)} written to {out}")


@contextmanager
def _replacing(path: Path) -> Iterator[IO[bytes]]:
    """Write beside `path` and move into place only when done: a failed export leaves
    neither a half-written file nor a damaged earlier one."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with temporary.open("xb") as fh:
            yield fh
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
