"""Förbund, rounds, invitation links and purging drafts: each command parses its options,
calls one service and reports."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.answering import services as answering
from survey.cli import FORBUND_OPTION, domain_errors, open_session, settings
from survey.db import audit, models
from survey.db.models import RoundState
from survey.exports.worksheets import csv_row
from survey.rounds import associations, lifecycle, status
from survey.services import round_actions as rounds

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _round_name(spec: str) -> tuple[str, str]:
    """FÖRBUND/LABEL, e.g. demo-norrsund/2026."""
    slug, _, label = spec.partition("/")
    if not slug or not label:
        raise click.BadParameter(f"'{spec}': give the round as FÖRBUND/LABEL, e.g. norrsund/2026")
    return slug, label


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _describe(rnd: lifecycle.Schedule, today: dt.date) -> str:
    state = lifecycle.effective_state(rnd, today)
    span = f"{rnd.opens_on or '…'} – {rnd.closes_on or '…'}"
    if rnd.state == RoundState.OPEN and state == RoundState.DRAFT:
        return f"open from {rnd.opens_on} ({span}); links say 'not opened yet' until then"
    if rnd.state == RoundState.OPEN and state == RoundState.CLOSED:
        return f"past its closing date ({span}); links say 'closed'"
    return f"{state} ({span})"


@click.command("invite")
@click.option("--round", "round_spec", required=True, help="FÖRBUND/LABEL, e.g. norrsund/2026")
@click.option("--count", type=click.IntRange(1, 10000), default=1, show_default=True)
@click.option("--shared", is_flag=True, help="One shared link instead of personal ones.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file for mail merge (default: print the links).",
)
@click.option("--base-url", help="The address in the links (default: PUBLIC_URL).")
@with_appcontext
@domain_errors
def invite_command(
    round_spec: str, count: int, shared: bool, out: Path | None, base_url: str | None
) -> None:
    """Create invitation links. The tokens are shown once and never stored."""
    _round_name(round_spec)  # a malformed name is refused before the file is made
    config = settings()
    if not base_url and not config.public_url_set:
        click.echo(
            f"warning: PUBLIC_URL is not set, so the links point at {config.public_url}, "
            "which works only on this computer. Set PUBLIC_URL to the address people use.",
            err=True,
        )
    # The file is made first, so a missing folder or an existing file is refused before
    # any link exists: links are shown once, and a link nobody received is lost.
    fd = _create_links_file(out) if out else None
    try:
        tokens = _create_links(round_spec, count, shared)
    except BaseException:
        if out and fd is not None:
            os.close(fd)
            out.unlink()
        raise
    links = [config.link(f"/r/{t}", base_url) for t in tokens]
    if out and fd is not None:
        with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(["nr", "link"])
            writer.writerows(csv_row(row) for row in enumerate(links, 1))
        click.echo(f"{len(links)} link(s) written to {out} (readable by you only)")
    else:
        for link in links:
            click.echo(link)


def _create_links_file(out: Path) -> int:
    """A new file readable and writable by its owner only (0600), never an existing one."""
    try:
        return os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        reason = "exists already; choose another name or move the old file away"
    except FileNotFoundError:
        reason = f"cannot be made: the folder {out.parent} does not exist"
    except NotADirectoryError:
        reason = f"cannot be made: {out.parent} is not a folder"
    except IsADirectoryError:
        reason = "is a folder"
    except PermissionError:
        reason = f"cannot be made: no permission to write in the folder {out.parent}"
    except OSError as exc:
        reason = f"cannot be made ({exc.strerror})"
    raise click.ClickException(f"{out} {reason}. No links were created.")


def _create_links(round_spec: str, count: int, shared: bool) -> list[str]:
    slug, label = _round_name(round_spec)
    with open_session() as session:
        if shared:
            rnd, token = rounds.share(session, slug, label, actor=audit.COMMAND_LINE)
            tokens = [token]
        else:
            rnd, tokens = rounds.invite(session, slug, label, count, actor=audit.COMMAND_LINE)
        _note_not_open(rnd, round_spec)
        return tokens


def _note_not_open(rnd: models.Round, round_spec: str) -> None:
    today = dt.date.today()
    state = lifecycle.effective_state(rnd, today)
    if state != RoundState.OPEN:
        click.echo(
            f"note: round {round_spec} is {state}; the links work once it is open "
            f"({_describe(rnd, today)})"
        )


@click.group("forbund")
def forbund_group() -> None:
    """Coordination associations (förbund). `survey association …` is the same group."""


@forbund_group.command("add")
@click.argument("slug")
@click.argument("name")
@with_appcontext
@domain_errors
def forbund_add_command(slug: str, name: str) -> None:
    """Add a förbund: SLUG is its short name in links and commands (e.g. norrsund)."""
    with open_session() as session:
        assoc = rounds.add_association(session, slug, name, actor=audit.COMMAND_LINE)
        click.echo(f"förbund {assoc.slug}: {assoc.name}")


@forbund_group.command("list")
@with_appcontext
def forbund_list_command() -> None:
    """List the förbund (demo data marked)."""
    with open_session() as session:
        for assoc in session.scalars(select(models.Association).order_by(models.Association.slug)):
            click.echo(f"{assoc.slug}\t{assoc.name}" + ("\t(demo)" if assoc.is_demo else ""))


@click.group("round")
def round_group() -> None:
    """Survey rounds (mätomgångar): create, open, close, publish, list."""


@round_group.command("create")
@FORBUND_OPTION(required=True)
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
@domain_errors
def round_create_command(
    slug: str,
    label: str,
    questionnaire_spec: str,
    opens: dt.datetime | None,
    closes: dt.datetime | None,
) -> None:
    """Create a round in draft; links to it say it has not opened until `survey round open`."""
    with open_session() as session:
        rnd = rounds.create_round(
            session,
            slug,
            label,
            questionnaire_spec,
            opens_on=_date(opens),
            closes_on=_date(closes),
            actor=audit.COMMAND_LINE,
        )
        click.echo(
            f"round {slug}/{label} created (draft) with {rnd.questionnaire.key} "
            f"v{rnd.questionnaire.version}; open it with: survey round open {slug}/{label}"
        )


@round_group.command("open")
@click.argument("round_spec", metavar="FÖRBUND/LABEL")
@click.option("--closes", type=DATE, help="A new last day (needed when the old one has passed).")
@with_appcontext
@domain_errors
def round_open_command(round_spec: str, closes: dt.datetime | None) -> None:
    """Open a draft round, or reopen a closed one; answers are accepted while it is open."""
    today = dt.date.today()
    with open_session() as session:
        rnd = rounds.open_round(
            session, *_round_name(round_spec), today, _date(closes), actor=audit.COMMAND_LINE
        )
        click.echo(f"round {round_spec}: {_describe(rnd, today)}")


@round_group.command("close")
@click.argument("round_spec", metavar="FÖRBUND/LABEL")
@with_appcontext
@domain_errors
def round_close_command(round_spec: str) -> None:
    """Close an open round now: no more answers; unfinished ones are kept, not counted;
    its e-mail addresses are deleted."""
    with open_session() as session:
        # Through the e-mail service: closing deletes the round's e-mail addresses too.
        rnd = rounds.close_round(
            session, *_round_name(round_spec), dt.date.today(), actor=audit.COMMAND_LINE
        )
        counts = status.round_status(session, rnd.id)
        click.echo(
            f"round {round_spec}: closed on {rnd.closes_on}; {counts.submitted} submitted, "
            f"{counts.in_progress} unfinished kept but not counted"
        )


@round_group.command("publish")
@click.argument("round_spec", metavar="FÖRBUND/LABEL")
@with_appcontext
@domain_errors
def round_publish_command(round_spec: str) -> None:
    """Publish a closed round: only now do its figures exist on any page or export.
    A published round cannot be reopened; its unfinished drafts are deleted."""
    with open_session() as session:
        rnd = rounds.publish_round(
            session,
            *_round_name(round_spec),
            dt.date.today(),
            actor=audit.COMMAND_LINE,
            k=settings().min_group_size,
        )
        counts = status.round_status(session, rnd.id)
        click.echo(f"round {round_spec}: published with {counts.submitted} submitted responses")


@round_group.command("list")
@FORBUND_OPTION(help="Only this förbund.")
@with_appcontext
@domain_errors
def round_list_command(slug: str | None) -> None:
    """Rounds with their state, dates, links and response counts (never who answered)."""
    today = dt.date.today()
    with open_session() as session:
        assoc_id = associations.find_association(session, slug).id if slug else None
        rows = status.round_statuses(session, assoc_id)
        if not rows:
            click.echo("no rounds yet: survey round create --forbund SLUG --label 2026")
        for row in rows:
            state = lifecycle.effective_state(row, today)
            click.echo(
                f"{row.association}/{row.label}\t{row.questionnaire}\t{state}"
                f"\t{row.opens_on or '…'} – {row.closes_on or '…'}"
                f"\tlinks {row.personal_links} ({row.used_links} used)"
                + (f" + {row.shared_links} shared" if row.shared_links else "")
                + f"\tsubmitted {row.submitted}\tunfinished {row.in_progress}"
            )


@click.command("purge-drafts")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(1, None),
    required=True,
    help="Delete unfinished responses not saved for this many days.",
)
@click.confirmation_option(prompt="Delete the unfinished answers? They cannot be recovered.")
@with_appcontext
def purge_drafts_command(days: int) -> None:
    """Delete abandoned unfinished responses (data minimisation); submitted ones are kept."""
    cutoff = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=days)
    with open_session() as session:
        count = answering.purge_drafts(session, cutoff)
    click.echo(f"{count} unfinished response(s) not saved since {cutoff:%Y-%m-%d} deleted")
