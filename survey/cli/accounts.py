"""`survey user …`: add users and roles, list them, hand out set-password links, record a
research agreement. Every change goes through `accounts.services`, which audits it."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from survey.accounts import services
from survey.accounts.users import SET_PASSWORD_PATH
from survey.cli import FORBUND_OPTION, domain_errors, open_session, settings
from survey.db import audit
from survey.db.models import Role


def _now() -> dt.datetime:
    return audit.utcnow()


def _print_link(token: str) -> None:
    click.echo(f"set-password link (works once, for 72 hours): {_link(token)}")
    if not settings().public_url_set:
        click.echo("note: PUBLIC_URL is not set, so the link works only on this computer.")


def _link(token: str) -> str:
    return settings().link(SET_PASSWORD_PATH + token)


@click.group("user")
def user_group() -> None:
    """People who log in: administrators, boards, researchers."""


@user_group.command("add")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@FORBUND_OPTION(default=None, help="The förbund, for forbund_admin and board.")
@with_appcontext
@domain_errors
def add_command(email: str, role: str, slug: str | None) -> None:
    """Add a user with a role and print a one-time set-password link; for an existing user,
    add the role (a person may hold roles in several förbund)."""
    with open_session() as session:
        if services.find_email(session, email):
            user = services.add_role(
                session, email, role, slug, actor=audit.COMMAND_LINE, now=_now()
            )
            click.echo(f"{user.email}: role {role} added" + (f" in {slug}" if slug else ""))
            return
        user, token = services.add_user(
            session, email, role, slug, actor=audit.COMMAND_LINE, now=_now()
        )
    click.echo(f"user {user.email} added as {role}" + (f" in {slug}" if slug else ""))
    _print_link(token)


@user_group.command("list")
@with_appcontext
def list_command() -> None:
    """Every user: e-mail, roles, two-factor, agreement, lock."""
    with open_session() as session:
        found = services.list_users(session)
        if not found:
            click.echo("no users yet: survey user add --email … --role …")
        for user in found:
            roles = ", ".join(
                sorted(
                    m.role + (f"@{m.association.slug}" if m.association else "")
                    for m in user.memberships
                )
            )
            flags = [
                "two-factor" if user.totp_secret else "no two-factor",
                "password set" if user.password_hash else "no password yet",
            ]
            if user.research_agreement:
                flags.append("research agreement")
            if user.locked_until and user.locked_until > _now():
                flags.append(f"locked until {user.locked_until:%Y-%m-%d %H:%M} UTC")
            if user.is_demo:
                flags.append("demo")
            click.echo(f"{user.email}\t{roles or '(no role)'}\t{'; '.join(flags)}")


@user_group.command("link")
@click.option("--email", required=True)
@with_appcontext
@domain_errors
def link_command(email: str) -> None:
    """A new one-time set-password link (the previous one stops working)."""
    with open_session() as session:
        token = services.issue_set_password_link(
            session, email, actor=audit.COMMAND_LINE, now=_now()
        )
    _print_link(token)


@user_group.command("agreement")
@click.option("--email", required=True)
@click.option("--yes/--no", "agreed", required=True, help="Whether an agreement is approved.")
@with_appcontext
@domain_errors
def agreement_command(email: str, agreed: bool) -> None:
    """Record whether the user has an approved agreement for unrecoded research files."""
    with open_session() as session:
        user = services.set_research_agreement(
            session, email, agreed, actor=audit.COMMAND_LINE, now=_now()
        )
    state = "has" if agreed else "does not have"
    click.echo(f"{user.email} {state} an approved agreement for unrecoded research files")
