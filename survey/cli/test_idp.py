"""`survey demo --serve --test-idp`: the demo with the loopback test OpenID provider
(survey/cli/dev_idp.py, for the demo and tests only) configured as one more way to log in,
in memory (instance/federation.yaml is neither read for it nor written)."""

from __future__ import annotations

import dataclasses

import click
from flask import Flask

from survey import demo
from survey.cli.dev_idp import LOA3, LOOPBACK, Person, TestProvider
from survey.federation.config import OidcSettings, Provider

PROVIDER_ID = "test-idp"
DISPLAY_NAME = "Test IdP (demo)"


def start_test_idp(app: Flask, host: str, port: int, logins: tuple[demo.DemoLogin, ...]) -> None:
    """Start the provider on loopback beside the app on `host`, with the demo users as its
    people, and add it to the app's providers (linking invited users by e-mail)."""
    if host not in LOOPBACK:
        raise click.UsageError("--test-idp serves only on loopback: use --host 127.0.0.1")
    people = [
        Person(f"demo-{i}", login.email, f"{login.role} {login.forbund or ''}".strip())
        for i, login in enumerate(logins, 1)
    ]
    provider = TestProvider(people)
    try:
        issuer = provider.serve(host, port)
    except OSError as exc:
        message = f"the test identity provider cannot use port {port}: {exc}"
        raise click.ClickException(message) from None
    config = app.extensions["survey"]
    provider.redirect_prefixes = [config.link("/login/oidc/")]
    federation = app.extensions["survey_federation"]
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
    app.extensions["survey_federation"] = dataclasses.replace(
        federation, providers=(*federation.providers, entry)
    )
    click.echo(f"test identity provider (demo only, loopback): {issuer}")
    click.echo(
        f"  log in through it: open {config.link('/login')}, choose '{DISPLAY_NAME}' and "
        "pick a demo user (ticking two-factor logs in without a TOTP code)"
    )
