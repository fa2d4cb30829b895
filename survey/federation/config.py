"""The installation's identity providers and whether passwords still log in, read once from
`instance/federation.yaml` (docs/operations.md, "Federated log-in"). No file: no providers,
passwords on. A file that cannot be used is refused with the file, the place and the fault,
as a questionnaire file is.

```yaml
password_login: false          # optional, default true
providers:
  - id: region-idp             # [a-z0-9-], in the log-in's address
    kind: oidc                 # oidc | saml
    display_name: Region Norrsund (SITHS)
    identifier: sub            # OIDC: sub (with the issuer); SAML: nameid or an attribute
    email_attribute: email     # the claim or attribute holding the e-mail address
    two_factor_assurance: [http://id.elegnamnden.se/loa/1.0/loa3]
    linking: invite            # invite | roles_from_attributes
    roles:                     # roles_from_attributes only
      - {attribute: groups, value: norrsund-styrelse, role: board, forbund: norrsund}
    oidc: {issuer: https://idp.example.se, client_id: ..., client_secret: ...}
```
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from survey.db.models import Role
from survey.errors import FederationConfigError

FILE_NAME = "federation.yaml"
KINDS = ("oidc", "saml")
#: invite: an administrator adds the user by e-mail (`survey user add`), and the first
#: federated log-in with that address, verified by the provider, links the account.
#: roles_from_attributes: the förbund roles follow the provider's attributes at each log-in.
LINKING = ("invite", "roles_from_attributes")
#: Roles that attributes may give: those held in one förbund. System administrators and
#: researchers (row-level data) are always invited by a person.
MAPPED_ROLES = (Role.FORBUND_ADMIN, Role.BOARD)
#: Seconds of clock difference allowed between us and a provider in time checks.
DEFAULT_CLOCK_SKEW = 120
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_PROVIDER_KEYS = {
    "id",
    "kind",
    "display_name",
    "identifier",
    "email_attribute",
    "two_factor_assurance",
    "linking",
    "roles",
    "oidc",
    "saml",
}
_OIDC_KEYS = {
    "issuer",
    "client_id",
    "client_secret",
    "scopes",
    "acr_values",
    "clock_skew_seconds",
    "token_endpoint_auth",
}


@dataclass(frozen=True)
class RoleMapping:
    """An attribute value that gives a role in one förbund (by its short name)."""

    attribute: str
    value: str
    role: Role
    forbund: str


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str = field(default="", repr=False)
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    #: Asked of the provider as `acr_values` (e.g. the loa3 URI), when set.
    acr_values: tuple[str, ...] = ()
    clock_skew_seconds: int = DEFAULT_CLOCK_SKEW
    #: client_secret_basic (the default) or client_secret_post.
    token_endpoint_auth: str = "client_secret_basic"


@dataclass(frozen=True)
class Provider:
    id: str
    kind: str
    display_name: str
    #: OIDC: "sub"; SAML: "nameid" or the name of the attribute holding the identifier.
    identifier: str
    email_attribute: str
    two_factor_assurance: frozenset[str]
    linking: str
    roles: tuple[RoleMapping, ...] = ()
    oidc: OidcSettings | None = None
    #: The `saml:` block as written; survey/federation/saml reads it.
    saml: Mapping[str, Any] = field(default_factory=dict)

    def counts_as_two_factor(self, assurance: str | None) -> bool:
        return assurance is not None and assurance in self.two_factor_assurance


@dataclass(frozen=True)
class FederationConfig:
    providers: tuple[Provider, ...] = ()
    #: False: only the providers log in (the password form is gone and its POST refused).
    password_login: bool = True

    def provider(self, provider_id: str) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)

    def origins(self) -> tuple[str, ...]:
        """The providers' addresses (scheme://host[:port]) that our forms may lead to: the
        log-out form ends at the provider's log-out (the pages' CSP form-action)."""
        found = []
        for provider in self.providers:
            if provider.oidc is not None:
                parts = urllib.parse.urlsplit(provider.oidc.issuer)
                found.append(f"{parts.scheme}://{parts.netloc}")
        return tuple(dict.fromkeys(found))


def load(instance_path: str | Path) -> FederationConfig:
    """The configuration in `instance_path`/federation.yaml (none there: the default)."""
    path = Path(instance_path) / FILE_NAME
    if not path.is_file():
        return FederationConfig()
    return parse(path.read_text(encoding="utf-8"), str(path))


def parse(text: str, source: str) -> FederationConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark is not None else ""
        raise FederationConfigError(source, place, "not valid YAML") from None
    if data is None:
        return FederationConfig()
    reader = _Reader(source)
    top = reader.mapping(data, "", {"password_login", "providers"})
    password_login = top.get("password_login", True)
    if not isinstance(password_login, bool):
        reader.fail("password_login", "must be true or false")
    raw = top.get("providers") or []
    if not isinstance(raw, list):
        reader.fail("providers", "must be a list")
    providers = tuple(_provider(reader, item, f"providers[{i}]") for i, item in enumerate(raw))
    ids = [p.id for p in providers]
    for i, provider_id in enumerate(ids):
        if provider_id in ids[:i]:
            reader.fail(f"providers[{i}].id", f"'{provider_id}' is used twice")
    if not password_login and not providers:
        reader.fail("password_login", "passwords cannot be switched off without a provider")
    return FederationConfig(providers, password_login)


def _provider(reader: _Reader, item: Any, where: str) -> Provider:
    raw = reader.mapping(item, where, _PROVIDER_KEYS)
    provider_id = reader.text(raw, where, "id")
    if not _ID.match(provider_id):
        reader.fail(f"{where}.id", "use lower-case letters, digits and '-' (at most 64)")
    kind = reader.choice(raw, where, "kind", KINDS)
    linking = reader.choice(raw, where, "linking", LINKING, default="invite")
    assurance = raw.get("two_factor_assurance") or []
    if not isinstance(assurance, list) or not all(isinstance(a, str) for a in assurance):
        reader.fail(f"{where}.two_factor_assurance", "must be a list of assurance values")
    roles = tuple(
        _role(reader, r, f"{where}.roles[{i}]") for i, r in enumerate(raw.get("roles") or [])
    )
    if linking == "roles_from_attributes" and not roles:
        reader.fail(f"{where}.roles", "roles_from_attributes needs at least one role mapping")
    if kind not in raw or not isinstance(raw[kind], dict):
        reader.fail(f"{where}.{kind}", f"the {kind} settings are missing")
    return Provider(
        id=provider_id,
        kind=kind,
        display_name=reader.text(raw, where, "display_name"),
        identifier=reader.text(
            raw, where, "identifier", default="sub" if kind == "oidc" else "nameid"
        ),
        email_attribute=reader.text(raw, where, "email_attribute", default="email"),
        two_factor_assurance=frozenset(assurance),
        linking=linking,
        roles=roles,
        oidc=_oidc(reader, raw["oidc"], f"{where}.oidc") if kind == "oidc" else None,
        saml=raw["saml"] if kind == "saml" else {},
    )


def _role(reader: _Reader, item: Any, where: str) -> RoleMapping:
    raw = reader.mapping(item, where, {"attribute", "value", "role", "forbund"})
    role = reader.choice(raw, where, "role", tuple(r.value for r in MAPPED_ROLES))
    return RoleMapping(
        attribute=reader.text(raw, where, "attribute"),
        value=reader.text(raw, where, "value"),
        role=Role(role),
        forbund=reader.text(raw, where, "forbund"),
    )


def _oidc(reader: _Reader, item: Any, where: str) -> OidcSettings:
    raw = reader.mapping(item, where, _OIDC_KEYS)
    issuer = reader.text(raw, where, "issuer").rstrip("/")
    if not secure_url(issuer):
        reader.fail(f"{where}.issuer", "must be an https:// address (http only on loopback)")
    skew = raw.get("clock_skew_seconds", DEFAULT_CLOCK_SKEW)
    if not isinstance(skew, int) or isinstance(skew, bool) or not 0 <= skew <= 600:
        reader.fail(f"{where}.clock_skew_seconds", "must be a whole number from 0 to 600")
    return OidcSettings(
        issuer=issuer,
        client_id=reader.text(raw, where, "client_id"),
        client_secret=reader.text(raw, where, "client_secret", default=""),
        scopes=reader.words(raw, where, "scopes", ("openid", "email", "profile")),
        acr_values=reader.words(raw, where, "acr_values", ()),
        clock_skew_seconds=skew,
        token_endpoint_auth=reader.choice(
            raw,
            where,
            "token_endpoint_auth",
            ("client_secret_basic", "client_secret_post"),
            default="client_secret_basic",
        ),
    )


def secure_url(url: str) -> bool:
    """An https address, or http on this machine's loopback (the demo's test provider)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


class _Reader:
    """Reads values out of the parsed YAML, failing with the file and the place."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, place: str, fault: str):
        raise FederationConfigError(self.source, place, fault)

    def mapping(self, item: Any, where: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(item, dict):
            self.fail(where, "must be a mapping of keys to values")
        for key in item:
            if key not in allowed:
                self.fail(
                    f"{where}.{key}".lstrip("."),
                    f"unknown key (known: {', '.join(sorted(allowed))})",
                )
        return item

    def text(self, raw: dict[str, Any], where: str, key: str, default: str | None = None) -> str:
        value = raw.get(key, default)
        if value is None:
            self.fail(f"{where}.{key}", "is missing")
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.fail(f"{where}.{key}", "must be text")
        value = str(value).strip()
        if not value and default is None:
            self.fail(f"{where}.{key}", "is empty")
        return value

    def choice(
        self, raw: dict[str, Any], where: str, key: str, allowed: tuple[str, ...], default=None
    ) -> str:
        value = self.text(raw, where, key, default)
        if value not in allowed:
            self.fail(f"{where}.{key}", f"'{value}' is not one of: {', '.join(allowed)}")
        return value

    def words(
        self, raw: dict[str, Any], where: str, key: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = raw.get(key, list(default))
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{where}.{key}", "must be a list of words")
        return tuple(value)
