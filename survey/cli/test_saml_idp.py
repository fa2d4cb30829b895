"""`survey demo --serve --test-saml-idp`: the demo with the loopback test SAML IdP
(survey/cli/dev_saml_idp.py, for the demo only) as one more way to log in, in memory
(instance/federation.yaml is neither read for it nor written; its metadata and key live in
a temporary folder, pinned by the fingerprint of the key it made at start)."""

from __future__ import annotations

import click
from flask import Flask

from survey import demo
from survey.cli.dev_idp import LOA3
from survey.cli.dev_saml_idp import TestSamlIdp
from survey.cli.test_idp import add_provider, demo_people, say_how
from survey.federation.config import Provider
from survey.federation.saml.providers import SamlProviders

PROVIDER_ID = "test-saml-idp"
DISPLAY_NAME = "Test SAML IdP (demo)"


def start_test_saml_idp(
    app: Flask, host: str, port: int, logins: tuple[demo.DemoLogin, ...]
) -> None:
    """Start the IdP on loopback beside the app, with the demo users as its people, and
    add it to the app's providers (linking invited users by the mail attribute)."""
    idp = TestSamlIdp(demo_people("--test-saml-idp", host, logins, "demo-saml"))
    try:
        entity_id = idp.serve(host, port)
    except OSError as exc:
        raise click.ClickException(f"the test SAML IdP cannot use port {port}: {exc}") from None
    entry = Provider(
        id=PROVIDER_ID,
        kind="saml",
        display_name=DISPLAY_NAME,
        identifier="nameid",
        email_attribute="mail",
        two_factor_assurance=frozenset({LOA3}),
        linking="invite",
        saml={
            "entity_id": entity_id,
            "metadata": str(idp.metadata_file),
            "signing_certificate_sha256": idp.fingerprint,
        },
    )
    federation = add_provider(app, entry)
    public_url = app.extensions["survey"].public_url
    ours = SamlProviders(federation, app.instance_path, public_url).service_provider()
    idp.configure(ours.metadata_xml())
    say_how(app, "test SAML identity provider", entity_id, DISPLAY_NAME)
