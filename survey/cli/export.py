"""`survey export`: the researcher's dataset or the board's workbook to a file.

The researcher's dataset is recoded (every combination of round, förbund, role and agency
holds at least k respondents) unless `--unrecoded` is given: that file is for a user allowed
it under an agreement, and the command says so on stderr. Until log-in exists, access to
this command (a shell on the server) is what "allowed" means; the web never offers it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click
from flask.cli import with_appcontext

from survey.cli import open_session, settings
from survey.errors import ExportRefused, NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from survey.exports.selection import Selection

UNRECODED_WARNING = (
    "Warning: --unrecoded: this file gives förbund, role and agency as answered, so it holds "
    "groups with fewer than k={k} respondents that the board pages hide. Handle it only under "
    "an approved agreement (ethics approval, data processing agreement); do not pass it on."
)


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
    "--unrecoded",
    is_flag=True,
    help="Research: förbund, role and agency as answered (groups under k; agreement needed).",
)
@click.option(
    "--sep", type=click.Choice(["comma", "semicolon"]), default="comma", show_default=True
)
@click.option(
    "--lang",
    type=click.Choice(["sv", "en"]),
    default="sv",
    show_default=True,
    help="Board workbook: its language; research .zip: the SPSS, Stata and R labels'.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def export_command(
    kind: str,
    rounds: tuple[str, ...],
    associations: tuple[str, ...],
    questionnaire: str | None,
    version: int | None,
    comments: bool,
    unrecoded: bool,
    sep: str,
    lang: str,
    out: Path,
) -> None:
    """Export a researcher's dataset (.xlsx, .csv, or .zip: every form, with SPSS, Stata,
    R and Parquet files) or a board's workbook (.xlsx)."""
    from survey.db import audit
    from survey.exports.board_workbook import write_board_workbook
    from survey.exports.selection import ExportFilter, record_export, select_rounds

    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".zip") or (kind == "board" and suffix != ".xlsx"):
        allowed = ".xlsx" if kind == "board" else ".xlsx, .csv or .zip"
        raise click.BadParameter(f"a {kind} export is written to {allowed}", param_hint="--out")
    if comments and (kind == "board" or suffix == ".csv"):
        raise click.BadParameter("comments come only in the research workbook (.xlsx or .zip)")
    if unrecoded and kind == "board":
        raise click.BadParameter("--unrecoded is for the research export only")
    k = settings().min_group_size
    flt = ExportFilter(rounds, associations, questionnaire, version)
    with open_session() as session:
        try:
            selection = select_rounds(session, flt)
            if kind == "board":
                with _replacing(out) as fh:
                    minimum = settings().min_reference_associations
                    write_board_workbook(
                        session, selection, fh, k=k, lang=lang, reference_minimum=minimum
                    )
                record_export(session, audit.COMMAND_LINE, f"board{out.suffix}", selection)
                click.echo(f"{len(selection.rounds)} round(s) written to {out}")
                return
            options = {"sep": sep, "comments": comments, "unrecoded": unrecoded, "lang": lang}
            total = _export_research(session, selection, out, k=k, **options)
            record_export(
                session,
                audit.COMMAND_LINE,
                f"research{out.suffix}",
                selection,
                recoded=not unrecoded,
                comments=comments,
            )
        except (NotFound, ExportRefused) as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"{total} responses from round(s) {', '.join(selection.labels)} written to {out}")


def _export_research(
    session: Session,
    selection: Selection,
    out: Path,
    *,
    k: int,
    sep: str,
    comments: bool,
    unrecoded: bool,
    lang: str,
) -> int:
    """The researcher's dataset to `out` (.xlsx, .csv or .zip); returns the responses
    written. When the long form does not fit the workbook, says where it is instead."""
    from survey.exports import package, recoding, research

    research.research_questionnaire(session, selection)  # refuse a version mix first
    # The plan is made again by the writer; here it only counts the rows for the progress
    # bar (a GROUP BY over few rows), so left-out responses are not promised.
    total = recoding.plan(session, selection, k, not unrecoded).responses
    if unrecoded:
        click.echo(UNRECODED_WARNING.format(k=k), err=True)
    notice = None
    with (
        _replacing(out) as fh,
        click.progressbar(length=total, label=f"Exporting {total} responses") as bar,
    ):
        recode = not unrecoded
        if out.suffix.lower() == ".csv":
            separator = research.SEPARATORS[sep]
            fh.writelines(
                research.research_csv(session, selection, separator, bar.update, k=k, recode=recode)
            )
        elif out.suffix.lower() == ".zip":
            notice = package.write_package(
                session,
                selection,
                fh,
                k=k,
                recode=recode,
                include_comments=comments,
                lang=lang,
                progress=bar.update,
            ).notice()
        else:
            notice = research.write_research_workbook(
                session,
                selection,
                fh,
                k=k,
                recode=recode,
                include_comments=comments,
                progress=bar.update,
            ).notice()
    if notice:
        click.echo(f"Note: {notice}", err=True)
    return total


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
