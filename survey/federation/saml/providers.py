"""The installation's SAML identity providers, ready to use: each provider's settings and
its pinned metadata, loaded on first use and loaded again after `REFRESH` (a URL's answer
can change: a new key is refused until pinned, a removed one stops working). One instance
per app (the web keeps it in app.extensions["saml"]; the CLI makes its own)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from survey.federation.config import FILE_NAME, FederationConfig, Provider
from survey.federation.saml import keys, metadata
from survey.federation.saml.sp import SamlSettings, ServiceProvider, settings_of

#: How long a provider's metadata is used before it is read (or fetched) again.
REFRESH = dt.timedelta(hours=6)


@dataclass(frozen=True)
class SamlProvider:
    provider: Provider
    settings: SamlSettings
    idp: metadata.IdpMetadata


class SamlProviders:
    def __init__(self, config: FederationConfig, instance_path: str | Path, public_url: str):
        self.config = config
        self.instance_path = Path(instance_path)
        self.public_url = public_url
        self._loaded: dict[str, tuple[dt.datetime, SamlProvider]] = {}
        self._sp: ServiceProvider | None = None
        self._lock = threading.Lock()
        # The `saml:` blocks are checked now, at the start, as the rest of the file is
        # (FederationConfigError); the metadata only at first use (it may be on the network).
        self._settings = {
            p.id: settings_of(p, str(self.instance_path / FILE_NAME))
            for p in config.providers
            if p.kind == "saml"
        }

    def service_provider(self) -> ServiceProvider:
        """Our SP; its key pair is made on the first use where `survey saml keys` did not."""
        if self._sp is None:
            host = self.public_url.split("://", 1)[-1].split("/", 1)[0]
            pair, _made = keys.ensure(self.instance_path, host)
            categories = [c for found in self._settings.values() for c in found.entity_categories]
            self._sp = ServiceProvider(self.public_url, pair, tuple(dict.fromkeys(categories)))
        return self._sp

    def get(self, provider_id: str, now: dt.datetime) -> SamlProvider | None:
        """The SAML provider of that id, or None (no such provider, or not SAML); raises
        MetadataError where its metadata cannot be used."""
        provider = self.config.provider(provider_id)
        if provider is None or provider_id not in self._settings:
            return None
        with self._lock:
            cached = self._loaded.get(provider_id)
            if cached is not None and now - cached[0] < REFRESH:
                return cached[1]
            settings = self._settings[provider_id]
            source = settings.metadata
            if not source.startswith(("https://", "http://")):
                source = str(self.instance_path / source)
            idp = metadata.load(
                entity_id=settings.entity_id,
                pinned=list(settings.pinned),
                source=source,
                cache=self.instance_path / "saml" / f"idp-{provider_id}.xml",
            )
            ready = SamlProvider(provider, settings, idp)
            self._loaded[provider_id] = (now, ready)
            return ready

    def by_entity_id(self, entity_id: str, now: dt.datetime) -> SamlProvider | None:
        for provider in self.config.providers:
            if provider.kind == "saml":
                found = self.get(provider.id, now)
                if found is not None and found.idp.entity_id == entity_id:
                    return found
        return None
