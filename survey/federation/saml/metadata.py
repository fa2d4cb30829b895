"""An identity provider's metadata, from a file or a URL, reduced to the one IdP we trust
and checked against the signing certificate(s) pinned in the configuration.

A federation's aggregate metadata (Sambi's, Sweden Connect's) lists hundreds of entities;
only the `EntityDescriptor` of the configured IdP is kept, and only if every signing key in
it has a SHA-256 fingerprint pinned in `instance/federation.yaml` (pin two during a key
roll-over). A changed key at the IdP thus stops log-ins through it, with a message naming
the fingerprint found, until an operator pins it: nobody who can change the metadata file
or the answer of its URL can make us trust another key.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography import x509
from lxml import etree

from survey.federation.saml.keys import fingerprint, normalise_fingerprint

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"md": MD, "ds": DS}
#: Seconds to wait for a metadata URL; a cached copy is used when it does not answer.
FETCH_TIMEOUT = 15


class MetadataError(Exception):
    """IdP metadata that cannot be used: the message says why (for the log and the CLI)."""


@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str
    xml: str  # the IdP's own EntityDescriptor, as pysaml2 loads it inline
    fingerprints: tuple[str, ...]  # of its signing certificates, all pinned
    single_logout: bool  # whether it offers single logout


def load(
    *,
    entity_id: str,
    pinned: list[str],
    source: str,
    cache: Path,
) -> IdpMetadata:
    """The configured IdP's metadata from `source` (a path, or an https:// URL whose last
    good answer is kept in `cache`), checked against the pinned fingerprints. Only an answer
    that passes the pin is kept: one with a key nobody pinned is refused and leaves the
    last good copy as it was."""
    raw, fetched = _read(source, cache)
    found = pinned_entity(raw, entity_id, pinned)
    if fetched:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(".tmp")
        temporary.write_bytes(raw)
        os.replace(temporary, cache)
    return found


def _read(source: str, cache: Path) -> tuple[bytes, bool]:
    """The metadata, and whether it was fetched just now (rather than read from a file or
    from the last good copy while the address does not answer)."""
    if not source.startswith(("https://", "http://")):
        try:
            return Path(source).read_bytes(), False
        except OSError as exc:
            raise MetadataError(f"cannot read IdP metadata {source}: {exc}") from None
    try:
        answer = requests.get(source, timeout=FETCH_TIMEOUT)
        answer.raise_for_status()
    except requests.RequestException as exc:
        if cache.exists():
            return cache.read_bytes(), False  # the last good copy: the pin still decides
        raise MetadataError(f"cannot fetch IdP metadata {source}: {exc}") from None
    return answer.content, True


def pinned_entity(raw: bytes, entity_id: str, pinned: list[str]) -> IdpMetadata:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise MetadataError(f"IdP metadata is not XML: {exc}") from None
    found = [
        element
        for element in root.iter(f"{{{MD}}}EntityDescriptor")
        if element.get("entityID") == entity_id
    ]
    if not found or found[0].find("md:IDPSSODescriptor", NS) is None:
        raise MetadataError(f"no identity provider {entity_id} in the metadata")
    entity = found[0]
    prints = tuple(_signing_fingerprints(entity))
    if not prints:
        raise MetadataError(f"the metadata of {entity_id} has no signing certificate")
    wanted = {normalise_fingerprint(p) for p in pinned}
    strangers = [p for p in prints if p not in wanted]
    if strangers:
        raise MetadataError(
            f"the metadata of {entity_id} has a signing certificate that is not pinned: "
            f"SHA-256 {strangers[0]} (check it with the IdP, then add it to "
            "`signing_certificate_sha256` in instance/federation.yaml)"
        )
    xml = etree.tostring(entity, encoding="unicode")
    slo = entity.find("md:IDPSSODescriptor/md:SingleLogoutService", NS) is not None
    return IdpMetadata(entity_id=entity_id, xml=xml, fingerprints=prints, single_logout=slo)


def _signing_fingerprints(entity: etree._Element):
    for descriptor in entity.iterfind("md:IDPSSODescriptor/md:KeyDescriptor", NS):
        if descriptor.get("use", "signing") != "signing":
            continue
        for text in descriptor.iterfind(".//ds:X509Certificate", NS):
            der = base64.b64decode("".join((text.text or "").split()))
            yield fingerprint(x509.load_der_x509_certificate(der))
