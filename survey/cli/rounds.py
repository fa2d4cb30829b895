"""Förbund, rounds and invitation links."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.answering import responses
from survey.cli import open_session
from survey.db import models
from survey.errors import NotFound, RoundSetupError
from survey.results import overview
from survey.rounds import invitations


def _find_round(session: Session, spec: str) -> models.Round:
    """A round named as FÖRBUND-SLUG/LABEL, e.g. demo-norrsund/2026."""
    slug, _, label = spec.partition("/")
    try:
        return overview.find_round(session, overview.find_association(session, slug), label)
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
    with open_session() as session:
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
    with open_session() as session:
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
    with open_session() as session:
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
    with open_session() as session:
        try:
            assoc = overview.find_association(session, slug)
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
    with open_session() as session:
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
    with open_session() as session:
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
        count = responses.purge_abandoned(session, cutoff)
        session.commit()
    click.echo(f"{count} unfinished response(s) not saved since {cutoff:%Y-%m-%d} deleted")


@round_group.command("list")
@click.option("--association", "slug", help="Only this förbund.")
@with_appcontext
def round_list_command(slug: str | None) -> None:
    """Rounds with their state, dates, links and response counts (never who answered)."""
    today = dt.date.today()
    with open_session() as session:
        assoc_id = overview.find_association(session, slug).id if slug else None
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
