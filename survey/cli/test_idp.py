"""`survey demo --serve --test-idp`: the demo with the loopback test OpenID provider
(survey/cli/dev_idp.py, for the demo and tests only) configured as one more way to log in,
in memory (instance/federation.yaml is neither read for it nor written)."""

from __future__ import annotations

import dataclasses

import click
from flask import Flask

from survey import demo
from survey.cli.dev_idp import LOA3, LOOPBACK, Person, TestProvider
from survey.federation.config import FederationConfig, OidcSettings, Provider

PROVIDER_ID = "test-idp"
DISPLAY_NAME = "Test IdP (demo)"


def demo_people(
    option: str, host: str, logins: tuple[demo.DemoLogin, ...], prefix: str
) -> list[Person]:
    """The demo users as a test provider's people; a test provider serves only on loopback."""
    if host not in LOOPBACK:
        raise click.UsageError(f"{option} serves only on loopback: use --host 127.0.0.1")
    return [
        Person(f"{prefix}-{i}", login.email, f"{login.role} {login.forbund or ''}".strip())
        for i, login in enumerate(logins, 1)
    ]


def add_provider(app: Flask, entry: Provider) -> FederationConfig:
    """One more way to log in, in memory (instance/federation.yaml stays as it is)."""
    federation = app.extensions["survey_federation"]
    federation = dataclasses.replace(federation, providers=(*federation.providers, entry))
    app.extensions["survey_federation"] = federation
    return federation


def say_how(app: Flask, what: str, address: str, display_name: str) -> None:
    click.echo(f"{what} (demo only, loopback): {address}")
    click.echo(
        f"  log in through it: open {app.extensions['survey'].link('/login')}, choose "
        f"'{display_name}' and pick a demo user (ticking two-factor logs in without a TOTP code)"
    )


def start_test_idp(app: Flask, host: str, port: int, logins: tuple[demo.DemoLogin, ...]) -> None:
    """Start the provider on loopback beside the app on `host`, with the demo users as its
    people, and add it to the app's providers (linking invited users by e-mail)."""
    provider = TestProvider(demo_people("--test-idp", host, logins, "demo"))
    try:
        issuer = provider.serve(host, port)
    except OSError as exc:
        message = f"the test identity provider cannot use port {port}: {exc}"
        raise click.ClickException(message) from None
    provider.redirect_prefixes = [app.extensions["survey"].link("/login/oidc/")]
    entry = Provider(
        id=PROVIDER_ID,
        kind="oidc",
        display_name=DISPLAY_NAME,
        identifier="sub",
        email_attribute="email",
        two_factor_assurance=frozenset({LOA3}),
        linking="invite",
        oidc=OidcSettings(issuer, provider.client_id, provider.client_secret),
    )
    add_provider(app, entry)
    say_how(app, "test identity provider", issuer, DISPLAY_NAME)
