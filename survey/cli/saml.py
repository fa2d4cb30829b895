"""`survey saml …`: our SAML key pair and metadata, and a check of each IdP's metadata
against its pinned certificate (docs/operations.md, "SAML")."""

from __future__ import annotations

from pathlib import Path

import click
from cryptography import x509
from flask import current_app
from flask.cli import with_appcontext

from survey.db import audit
from survey.federation import config as federation_config
from survey.federation.saml import keys
from survey.federation.saml.metadata import MetadataError
from survey.federation.saml.providers import SamlProviders
from survey.federation.saml.sp import PATHS


def _providers() -> SamlProviders:
    instance = current_app.instance_path
    public_url = current_app.extensions["survey"].public_url
    return SamlProviders(federation_config.load(instance), instance, public_url)


@click.group("saml")
def saml_group() -> None:
    """SAML 2.0 log-in: our key pair and metadata, the IdPs' pinned metadata."""


@saml_group.command("keys")
@click.option(
    "--new", is_flag=True, help="Replace the key pair (send the federation new metadata)."
)
@with_appcontext
def keys_command(new: bool) -> None:
    """Make our SP key pair in instance/saml/ (the key 0600) unless there is one; print
    where it is and the certificate's SHA-256 fingerprint."""
    instance = current_app.instance_path
    host = current_app.extensions["survey"].public_url.split("://", 1)[-1].split("/", 1)[0]
    if new:
        pair, made = keys.make(keys.key_pair(instance), host), True
    else:
        pair, made = keys.ensure(instance, host)
    cert = x509.load_pem_x509_certificate(pair.cert_file.read_bytes())
    click.echo(("made " if made else "kept ") + f"{pair.key_file} and {pair.cert_file}")
    click.echo(f"certificate SHA-256 {keys.fingerprint(cert)}")


@saml_group.command("metadata")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
@with_appcontext
def metadata_command(output: Path | None) -> None:
    """Print (or write) our signed SP metadata, as served at /auth/saml/metadata."""
    xml = _providers().service_provider().metadata_xml()
    if output is None:
        click.echo(xml)
    else:
        output.write_text(xml, encoding="utf-8")
        click.echo(f"wrote {output} (entity id {_providers().service_provider().entity_id})")


@saml_group.command("check")
@with_appcontext
def check_command() -> None:
    """Load every SAML IdP's metadata as a log-in would and say what was found."""
    providers = _providers()
    found = [p for p in providers.config.providers if p.kind == "saml"]
    if not found:
        click.echo("no SAML identity provider in instance/federation.yaml")
        return
    failed = False
    for provider in found:
        try:
            ready = providers.get(provider.id, audit.utcnow())
        except MetadataError as exc:
            click.echo(f"{provider.id}: REFUSED: {exc}")
            failed = True
            continue
        assert ready is not None
        slo = "single logout offered" if ready.idp.single_logout else "no single logout"
        click.echo(f"{provider.id}: {ready.idp.entity_id}, {slo}")
        for print_ in ready.idp.fingerprints:
            click.echo(f"  signing certificate SHA-256 {print_} (pinned)")
    click.echo(f"our entity id: {providers.service_provider().entity_id}")
    click.echo(f"our ACS: {providers.service_provider().url('acs')}  ({PATHS['acs']})")
    if failed:
        raise click.exceptions.Exit(1)
