"""instance/federation.yaml: read into providers, refused with the file, the place and the
fault when it cannot be used (as a questionnaire file is)."""

from __future__ import annotations

import pytest

from survey.errors import FederationConfigError
from survey.federation import config

GOOD = """
password_login: false
providers:
  - id: region
    kind: oidc
    display_name: Region Norrsund
    two_factor_assurance: [http://id.elegnamnden.se/loa/1.0/loa3]
    oidc: {issuer: "https://idp.example.se/", client_id: survey, client_secret: s}
  - id: sambi
    kind: saml
    display_name: Sambi
    identifier: urn:oid:1.2.752.29.6.2.1
    linking: roles_from_attributes
    roles: [{attribute: groups, value: styrelse, role: board, forbund: norrsund}]
    saml: {metadata_file: sambi.xml}
"""


def test_a_good_file_is_read(tmp_path):
    (tmp_path / "federation.yaml").write_text(GOOD, encoding="utf-8")
    read = config.load(tmp_path)
    assert read.password_login is False
    region, sambi = read.providers
    assert region.oidc.issuer == "https://idp.example.se"  # no trailing slash
    assert region.oidc.clock_skew_seconds == config.DEFAULT_CLOCK_SKEW
    assert region.identifier == "sub" and region.linking == "invite"
    assert region.counts_as_two_factor("http://id.elegnamnden.se/loa/1.0/loa3")
    assert not region.counts_as_two_factor("http://id.elegnamnden.se/loa/1.0/loa2")
    assert sambi.roles[0].forbund == "norrsund" and sambi.saml == {"metadata_file": "sambi.xml"}
    assert read.provider("sambi") is sambi and read.provider("nope") is None


def test_no_file_means_passwords_and_no_providers(tmp_path):
    assert config.load(tmp_path) == config.FederationConfig()


@pytest.mark.parametrize(
    ("text", "place", "fault"),
    [
        ("providers: [\n  {id: x", "line", "not valid YAML"),
        ("password_login: nope", "password_login", "true or false"),
        ("password_login: false", "password_login", "without a provider"),
        ("providers: [{id: Bad Id, kind: oidc}]", "providers[0].id", "lower-case"),
        ("providers: [{id: a, kind: ldap}]", "providers[0].kind", "not one of"),
        ("providers: [{id: a, kind: oidc, display_name: A}]", "providers[0].oidc", "missing"),
        (
            "providers: [{id: a, kind: oidc, display_name: A, colour: red, oidc: {}}]",
            "providers[0].colour",
            "unknown key",
        ),
        (
            "providers: [{id: a, kind: oidc, display_name: A,"
            " oidc: {issuer: 'http://idp.example.se', client_id: c}}]",
            "providers[0].oidc.issuer",
            "https",
        ),
        (
            "providers: [{id: a, kind: saml, display_name: A, linking: roles_from_attributes,"
            " saml: {}}]",
            "providers[0].roles",
            "at least one",
        ),
        (
            "providers: [{id: a, kind: saml, display_name: A, saml: {},"
            " roles: [{attribute: g, value: v, role: system_admin, forbund: f}]}]",
            "providers[0].roles[0].role",
            "not one of",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_its_place_and_fault(tmp_path, text, place, fault):
    (tmp_path / "federation.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FederationConfigError) as refused:
        config.load(tmp_path)
    assert refused.value.source.endswith("federation.yaml")
    assert refused.value.place.startswith(place) and fault in refused.value.fault
    assert str(refused.value).startswith(f"{tmp_path / 'federation.yaml'}: {place}")
