"""`survey import`: earlier survey data as a closed round marked as imported (a dry run
unless `--write`), and `survey export-rows`: one round in the import layout."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from survey.cli import FORBUND_OPTION, domain_errors, open_session
from survey.cli.export import UNRECODED_WARNING
from survey.cli.rounds import DATE, _date, _round_name

#: Bytes read at most from a file given on the command line (the reader's own limit then
#: names the size); a larger file is not read whole into memory.
READ_LIMIT = 64 * 1024 * 1024


def _read(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(READ_LIMIT)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@FORBUND_OPTION(required=True)
@click.option("--round", "label", required=True, help="The new round's label, e.g. 2019.")
@click.option("--questionnaire", required=True, help="KEY:VERSION the file was answered with.")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML mapping from another tool's codes and answers (LimeSurvey) to ours.",
)
@click.option("--opens", type=DATE, help="When the round opened (places it in time order).")
@click.option("--closes", type=DATE, help="When the round closed.")
@click.option(
    "--invited",
    type=click.IntRange(1, None),
    help="How many were invited, if known (the intervals' N, as a round's personal links).",
)
@click.option("--write", is_flag=True, help="Import (without it: a dry run that writes nothing).")
@click.option("--skip-invalid", is_flag=True, help="With --write: leave out the faulty rows.")
@with_appcontext
@domain_errors
def import_command(
    file: Path,
    slug: str,
    label: str,
    questionnaire: str,
    mapping: Path | None,
    opens,
    closes,
    invited: int | None,
    write: bool,
    skip_invalid: bool,
) -> None:
    """Import a CSV or Excel file of earlier answers as a closed round (dry run by default)."""
    from tqdm import tqdm

    from survey.db import audit
    from survey.imports.services import ImportRequest, import_round

    request = ImportRequest(
        data=_read(file),
        filename=file.name,
        association=slug,
        label=label,
        questionnaire=questionnaire,
        mapping=_read(mapping) if mapping else None,
        opens_on=_date(opens),
        closes_on=_date(closes),
        invited=invited,
    )
    bar = tqdm(
        desc="rows checked, then written",
        unit=" rows",
        disable=not sys.stderr.isatty(),
        leave=False,
    )
    with open_session() as session, bar:
        report = import_round(
            session,
            request,
            write=write,
            skip_invalid=skip_invalid,
            actor=audit.COMMAND_LINE,
            progress=bar.update,
        )
    _print_report(report, write)
    if report.faults and not report.written:
        sys.exit(1)


def _print_report(report, write: bool) -> None:
    for fault in report.faults:
        click.echo(f"{report.filename}: {fault.where()}: {fault.message()}", err=True)
    verb = "written" if report.written else "would be written"
    click.echo(
        f"förbund: {report.association}; round: {report.label}; questionnaire: "
        f"{report.questionnaire}; rows in the file: {report.rows}; {verb}: "
        f"{report.responses} responses, {report.answers} answers"
    )
    if report.skipped:
        click.echo(f"rows left out (--skip-invalid): {', '.join(map(str, report.skipped))}")
    if report.written:
        click.echo("imported as a closed round: publish it with `survey round publish`")
    elif report.faults:
        click.echo(f"{len(report.faults)} fault(s): nothing written", err=True)
    elif not write:
        click.echo("dry run: nothing written (add --write to import)")


@click.command("export-rows")
@click.argument("round_spec", metavar="FÖRBUND/LABEL")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
@domain_errors
def export_rows_command(round_spec: str, out: Path) -> None:
    """Write one round's responses in the import layout (CSV, NOT recoded), e.g. to move
    it to another installation with `survey import`."""
    from survey.cli import settings
    from survey.db import audit
    from survey.imports.services import export_rows

    slug, label = _round_name(round_spec)
    click.echo(UNRECODED_WARNING.format(k=settings().min_group_size), err=True)
    part = out.with_name(out.name + ".part")  # `out` appears only when all is written
    try:
        with open_session() as session, part.open("wb") as fh:
            count, invited = export_rows(session, slug, label, fh, actor=audit.COMMAND_LINE)
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    click.echo(f"{count} responses of round {slug}/{label} written to {out}")
    if invited:
        click.echo(f"{invited} were invited: import it with --invited {invited}")
