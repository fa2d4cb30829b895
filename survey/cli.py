"""The `survey` command: set-up, questionnaires, rounds, invitations, exports, demo data,
serving."""

from __future__ import annotations

import csv
import datetime as dt
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import catalog, invitations, models, reports
from .database import create_schema, holds_real_rounds, schema_exists
from .errors import ExportRefused, NotFound, RoundSetupError
from .questionnaire import QuestionnaireError, load_questionnaire


def _session() -> Session:
    return current_app.extensions["survey_sessions"]()


def _init_database() -> list[str]:
    create_schema(current_app.extensions["survey_engine"])
    directory = Path(current_app.config["QUESTIONNAIRE_DIR"])
    with _session() as session:
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
        with _session() as session:
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
    from .demo import build_demo

    _init_database()
    with _session() as session:
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


def _find_round(session: Session, spec: str) -> models.Round:
    """A round named as FÖRBUND-SLUG/LABEL, e.g. demo-norrsund/2026."""
    slug, _, label = spec.partition("/")
    try:
        return reports.find_round(session, reports.find_association(session, slug), label)
    except NotFound as exc:
        raise click.BadParameter(f"{exc} (give the round as FÖRBUND/LABEL)") from None


@click.command("invite")
@click.option("--round", "round_spec", required=True, help="FÖRBUND/LABEL, e.g. norrsund/2026")
@click.option("--count", type=click.IntRange(1, 10000), default=1, show_default=True)
@click.option("--shared", is_flag=True, help="One shared link instead of personal ones.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file for mail merge (default: print the links).",
)
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@with_appcontext
def invite_command(
    round_spec: str, count: int, shared: bool, out: Path | None, base_url: str
) -> None:
    """Create invitation links. The tokens are shown once and never stored."""
    with _session() as session:
        rnd = _find_round(session, round_spec)
        tokens = (
            [invitations.create_shared_link(session, rnd)]
            if shared
            else invitations.create_invitations(session, rnd, count)
        )
        session.commit()
        state = invitations.effective_state(rnd, dt.date.today())
        if state != "open":
            click.echo(
                f"note: round {round_spec} is {state}; the links work once it is open "
                f"({_describe(rnd, dt.date.today())})"
            )
    links = [f"{base_url.rstrip('/')}/r/{t}" for t in tokens]
    if out:
        with out.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(["nr", "link"])
            writer.writerows(enumerate(links, 1))
        click.echo(f"{len(links)} link(s) written to {out}")
    else:
        for link in links:
            click.echo(link)


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group("association")
def association_group() -> None:
    """Coordination associations (förbund)."""


@association_group.command("add")
@click.argument("slug")
@click.argument("name")
@with_appcontext
def association_add_command(slug: str, name: str) -> None:
    """Add a förbund: SLUG is its short name in links and commands (e.g. norrsund)."""
    with _session() as session:
        try:
            assoc = invitations.create_association(session, slug, name)
        except RoundSetupError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"förbund {assoc.slug}: {assoc.name}")


@association_group.command("list")
@with_appcontext
def association_list_command() -> None:
    """List the förbund (demo data marked)."""
    with _session() as session:
        for assoc in session.scalars(select(models.Association).order_by(models.Association.slug)):
            click.echo(f"{assoc.slug}\t{assoc.name}" + ("\t(demo)" if assoc.is_demo else ""))


@click.group("round")
def round_group() -> None:
    """Survey rounds (mätomgångar): create, open, close, list."""


@round_group.command("create")
@click.option("--association", "slug", required=True, help="The förbund's short name.")
@click.option(
    "--label", required=True, help="e.g. 2026; the same label across förbund is compared."
)
@click.option(
    "--questionnaire",
    "questionnaire_spec",
    default="integrerad-samverkan",
    show_default=True,
    help="KEY:VERSION, or KEY for its latest version.",
)
@click.option("--opens", type=DATE, help="First day answers are accepted (YYYY-MM-DD).")
@click.option("--closes", type=DATE, help="Last day answers are accepted (YYYY-MM-DD).")
@with_appcontext
def round_create_command(
    slug: str,
    label: str,
    questionnaire_spec: str,
    opens: dt.datetime | None,
    closes: dt.datetime | None,
) -> None:
    """Create a round in draft; links to it say it has not opened until `survey round open`."""
    with _session() as session:
        try:
            assoc = reports.find_association(session, slug)
            rnd = invitations.create_round(
                session,
                assoc,
                invitations.find_questionnaire(session, questionnaire_spec),
                label,
                opens_on=_date(opens),
                closes_on=_date(closes),
            )
        except (NotFound, RoundSetupError) as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(
            f"round {slug}/{label} created (draft) with {rnd.questionnaire.key} "
            f"v{rnd.questionnaire.version}; open it with: survey round open {slug}/{label}"
        )


def _describe(rnd: models.Round, today: dt.date) -> str:
    state = invitations.effective_state(rnd, today)
    span = f"{rnd.opens_on or '…'} – {rnd.closes_on or '…'}"
    if rnd.state == "open" and state == "draft":
        return f"open from {rnd.opens_on} ({span}); links say 'not opened yet' until then"
    if rnd.state == "open" and state == "closed":
        return f"past its closing date ({span}); links say 'closed'"
    return f"{state} ({span})"


@round_group.command("open")
@click.argument("round_spec", metavar="FÖRBUND/LABEL")
@click.option("--closes", type=DATE, help="A new last day (needed when the old one has passed).")
@with_appcontext
def round_open_command(round_spec: str, closes: dt.datetime | None) -> None:
    """Open a draft round, or reopen a closed one; answers are accepted while it is open."""
    today = dt.date.today()
    with _session() as session:
        rnd = _find_round(session, round_spec)
        try:
            invitations.open_round(rnd, today, _date(closes))
        except RoundSetupError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"round {round_spec}: {_describe(rnd, today)}")


@round_group.command("close")
@click.argument("round_spec", metavar="FÖRBUND/LABEL")
@with_appcontext
def round_close_command(round_spec: str) -> None:
    """Close an open round now: no more answers; unfinished ones are kept, not counted."""
    today = dt.date.today()
    with _session() as session:
        rnd = _find_round(session, round_spec)
        try:
            invitations.close_round(rnd, today)
        except RoundSetupError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        status = invitations.round_statuses(session, rnd.association_id)
        counts = next(s for s in status if s.label == rnd.label)
        click.echo(
            f"round {round_spec}: closed on {rnd.closes_on}; {counts.submitted} submitted, "
            f"{counts.in_progress} unfinished kept but not counted"
        )


@round_group.command("list")
@click.option("--association", "slug", help="Only this förbund.")
@with_appcontext
def round_list_command(slug: str | None) -> None:
    """Rounds with their state, dates, links and response counts (never who answered)."""
    today = dt.date.today()
    with _session() as session:
        assoc_id = reports.find_association(session, slug).id if slug else None
        rows = invitations.round_statuses(session, assoc_id)
        if not rows:
            click.echo("no rounds yet: survey round create --association SLUG --label 2026")
        for row in rows:
            state = invitations.effective_state(row, today)
            click.echo(
                f"{row.association}/{row.label}\t{row.questionnaire}\t{state}"
                f"\t{row.opens_on or '…'} – {row.closes_on or '…'}"
                f"\tlinks {row.personal_links} ({row.used_links} used)"
                + (f" + {row.shared_links} shared" if row.shared_links else "")
                + f"\tsubmitted {row.submitted}\tunfinished {row.in_progress}"
            )


@click.command("export")
@click.option("--kind", type=click.Choice(["research", "board"]), required=True)
@click.option("--round", "rounds", multiple=True, help="Round label, e.g. 2026 (repeatable).")
@click.option("--forbund", "associations", multiple=True, help="Förbund slug (repeatable).")
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
    from . import exports
    from .board_workbook import write_board_workbook
    from .selection import ExportFilter, response_counts, select_rounds

    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv") or (kind == "board" and suffix == ".csv"):
        allowed = ".xlsx" if kind == "board" else ".xlsx or .csv"
        raise click.BadParameter(f"a {kind} export is written to {allowed}", param_hint="--out")
    if comments and (kind == "board" or suffix == ".csv"):
        raise click.BadParameter("comments come only in the research workbook (.xlsx)")
    if not schema_exists(current_app.extensions["survey_engine"]):
        raise click.ClickException("the database has no tables yet: run `survey init` first")
    k = current_app.config["MIN_GROUP_SIZE"]
    flt = ExportFilter(rounds, associations, questionnaire, version)
    with _session() as session:
        try:
            selection = select_rounds(session, flt)
            if kind == "board":
                with _replacing(out) as fh:
                    write_board_workbook(session, selection, fh, k=k, lang=lang)
                click.echo(f"{len(selection.rounds)} round(s) written to {out}")
                return
            exports.research_questionnaire(session, selection)  # refuse a version mix first
            total = sum(response_counts(session, selection).values())
            with (
                _replacing(out) as fh,
                click.progressbar(length=total, label=f"Exporting {total} responses") as bar,
            ):
                if suffix == ".csv":
                    separator = exports.SEPARATORS[sep]
                    for chunk in exports.research_csv(session, selection, separator, bar.update):
                        fh.write(chunk)
                else:
                    exports.write_research_workbook(
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


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)


def register_commands(app: Flask) -> None:
    for command in (
        init_command,
        load_questionnaire_command,
        demo_command,
        serve_command,
        invite_command,
        association_group,
        round_group,
        export_command,
    ):
        app.cli.add_command(command)


def main() -> None:
    from . import create_app

    FlaskGroup(
        create_app=create_app,
        add_default_commands=False,
        help="Samverkansmätaren: survey administration.",
    )()
