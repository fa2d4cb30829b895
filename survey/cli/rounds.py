"""Förbund, rounds, invitation links and purging drafts: each command parses its options,
calls one service and reports."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.answering import services as answering
from survey.cli import FORBUND_OPTION, domain_errors, open_session, settings
from survey.db import audit, models
from survey.db.models import RoundState
from survey.exports.worksheets import csv_row
from survey.mail import services as mail
from survey.results import publication
from survey.rounds import associations, lifecycle, status
from survey.rounds import services as rounds

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
    slug, label = _round_name(round_spec)
    config = settings()
    if not base_url and not config.public_url_set:
        click.echo(
            f"warning: PUBLIC_URL is not set, so the links point at {config.public_url}, "
            "which works only on this computer. Set PUBLIC_URL to the address people use.",
            err=True,
        )
    with open_session() as session:
        if shared:
            rnd, token = rounds.share(session, slug, label, actor=audit.COMMAND_LINE)
            tokens = [token]
        else:
            rnd, tokens = rounds.invite(session, slug, label, count, actor=audit.COMMAND_LINE)
        today = dt.date.today()
        if lifecycle.effective_state(rnd, today) != RoundState.OPEN:
            click.echo(
                f"note: round {round_spec} is {lifecycle.effective_state(rnd, today)}; the "
                f"links work once it is open ({_describe(rnd, today)})"
            )
    links = [config.link(f"/r/{t}", base_url) for t in tokens]
    if out:
        with out.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(["nr", "link"])
            writer.writerows(csv_row(row) for row in enumerate(links, 1))
        click.echo(f"{len(links)} link(s) written to {out}")
    else:
        for link in links:
            click.echo(link)


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
        rnd = mail.close_round(
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
        rnd = publication.publish_round(
            session, *_round_name(round_spec), dt.date.today(), actor=audit.COMMAND_LINE
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
