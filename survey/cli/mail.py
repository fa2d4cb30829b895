"""`survey mail send` works off the e-mail queue (once, or `--watch` as a service does);
`survey mail status` shows per round what was sent, what failed and why."""

from __future__ import annotations

import signal
import threading

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.cli import domain_errors, open_session, settings
from survey.db import models
from survey.mail import status
from survey.rounds import lifecycle
from survey.services import scheduling


@click.group("mail")
def mail_group() -> None:
    """E-mail invitations and reminders: send the queue, show its status."""


@mail_group.command("send")
@click.option("--watch", is_flag=True, help="Keep working: send what is queued as it comes.")
@click.option(
    "--interval",
    type=click.FloatRange(0.05, 3600),
    default=10.0,
    show_default=True,
    help="Seconds between looks at the queue with --watch.",
)
@with_appcontext
@domain_errors
def mail_send_command(watch: bool, interval: float) -> None:
    """Send the queued invitations and reminders through the SMTP server (MAIL_HOST).
    Each message is claimed before it is sent, so a restart sends nothing twice; a
    failing server is tried again later, up to 5 attempts per message."""
    config = settings()
    stopping = threading.Event()
    if watch:
        # systemd stops a service with SIGTERM: finish the message in hand, then leave.
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: stopping.set())
    with open_session() as session:
        while True:
            result = scheduling.mail_pass(session, config, stop=stopping.is_set)
            if result.counts or result.stopped or result.scheduled or not watch:
                click.echo(str(result), err=bool(result.stopped))
            if not watch or stopping.wait(interval):
                break


@mail_group.command("status")
@click.option("--round", "round_spec", help="FÖRBUND/LABEL; default every round with e-mail.")
@with_appcontext
@domain_errors
def mail_status_command(round_spec: str | None) -> None:
    """Per round: addresses, messages by kind and status, and each failure with its reason."""
    with open_session() as session:
        if round_spec:
            slug, _, label = round_spec.partition("/")
            rounds = [lifecycle.round_by_name(session, slug, label)]
        else:
            with_mail = select(models.MailRecipient.round_id)
            rounds = list(
                session.scalars(select(models.Round).where(models.Round.id.in_(with_mail)))
            )
        for rnd in rounds:
            found = status.mail_status(session, rnd.id)
            click.echo(f"{rnd.association.slug}/{rnd.label}: {found.addresses} address(es)")
            for (kind, state), n in sorted(found.counts.items()):
                click.echo(f"  {kind}\t{state}\t{n}")
            for f in found.failures:
                click.echo(
                    f"  {f.status}: {f.kind} to {f.address}, {f.attempts} attempt(s): {f.reason}"
                )
