"""One Settings object, read once: defaults, then the environment, then `instance/config.py`,
then what the caller passes (tests). Everything else reads it, never the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.disclosure import (
    DEFAULT_REFERENCE_ASSOCIATIONS,
    configured_k,
    configured_reference_minimum,
)

#: Where `survey serve` listens by default, and so where links point when nothing is set.
LOCAL_URL = "http://127.0.0.1:5000"
#: Keys read from the environment (and `instance/config.py`).
KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "PUBLIC_URL",
    "MIN_GROUP_SIZE",
    "MIN_REFERENCE_ASSOCIATIONS",
    "QUESTIONNAIRE_DIR",
    "RATELIMIT_STORAGE_URI",
    "RATE_LIMIT_LOGIN",
    "RATE_LIMIT_RESPOND",
    "TRUSTED_PROXIES",
    # The privacy notice and the accessibility statement (see the README).
    "PRIVACY_OPERATOR",
    "PRIVACY_CONTACT",
    "PRIVACY_DRAFT_DAYS",
    "ACCESSIBILITY_CONTACT",
    "CHROMIUM_PATH",
    "RATE_LIMIT_PDF",
    "RATE_LIMIT_API",
    "RATE_LIMIT_API_ADDRESS",
    "MAIL_HOST",
    "MAIL_PORT",
    "MAIL_SECURITY",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_SENDER",
)
#: How the connection to the SMTP server is protected, and the port each uses by default.
MAIL_SECURITY = {"none": 25, "starttls": 587, "ssl": 465}
#: Per address. Log-in posts: enough for typos, too few for guessing (the lock-out after 5
#: failures per account does the rest). Respondent pages: generous, since a whole office
#: behind one address may answer at once and each page is a GET and a POST.
DEFAULT_RATE_LIMIT_LOGIN = "10/minute"
DEFAULT_RATE_LIMIT_RESPOND = "120/minute"
#: Unfinished answers nobody saved for this many days are deleted by `survey purge-drafts`
#: (run by the operator, e.g. daily from cron); the privacy notice states the figure.
DEFAULT_PRIVACY_DRAFT_DAYS = 90
#: Each PDF of the board report starts a headless Chromium for a few seconds.
DEFAULT_RATE_LIMIT_PDF = "6/minute"
#: Per API token (per address for calls without one): a script paging through research
#: rows or every round of a förbund stays well inside it.
DEFAULT_RATE_LIMIT_API = "120/minute"
#: Per address over every token (and none): made-up tokens cannot each start a new count.
DEFAULT_RATE_LIMIT_API_ADDRESS = "600/minute"
#: Debian's Chromium; where it is absent the board report offers the browser's print.
DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium"


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    #: The address every link is built from (pages, command line, e-mail); never a
    #: request's Host header, which a client can forge.
    public_url: str
    #: False when PUBLIC_URL was not configured and the local default stands in for it.
    public_url_set: bool
    min_group_size: int
    questionnaire_dir: Path
    #: The fewest förbund a national reference (per dimension) averages; else none is shown.
    min_reference_associations: int = DEFAULT_REFERENCE_ASSOCIATIONS
    #: Where the rate limits count (Flask-Limiter's storage URI): "memory://" counts per
    #: process; "redis://host:6379" shares the count between the server's processes.
    ratelimit_storage_uri: str = "memory://"
    rate_limit_login: str = DEFAULT_RATE_LIMIT_LOGIN
    rate_limit_respond: str = DEFAULT_RATE_LIMIT_RESPOND
    #: How many reverse proxies in front of the app set X-Forwarded-* headers (0: none, so
    #: those headers are ignored; a client could otherwise claim any address or HTTPS).
    trusted_proxies: int = 0
    #: Who runs this installation (on behalf of the förbund, who are the controllers of
    #: their surveys' personal data) and publishes its accessibility statement.
    privacy_operator: str = ""
    #: Where questions about personal data go when a förbund has not given its own contact.
    privacy_contact: str = ""
    #: Days an unfinished answer nobody saved is kept; the privacy notice promises it.
    privacy_draft_days: int = DEFAULT_PRIVACY_DRAFT_DAYS
    #: Where problems with the site's accessibility are reported (else PRIVACY_CONTACT).
    accessibility_contact: str = ""
    #: The Chromium that prints the board report as PDF (through Playwright).
    chromium_path: str = DEFAULT_CHROMIUM_PATH
    rate_limit_pdf: str = DEFAULT_RATE_LIMIT_PDF
    rate_limit_api: str = DEFAULT_RATE_LIMIT_API
    rate_limit_api_address: str = DEFAULT_RATE_LIMIT_API_ADDRESS
    #: The SMTP server invitations and reminders go through (README, "E-mail invitations
    #: and reminders"); no host: nothing is sent, messages wait in the queue.
    mail_host: str = ""
    mail_port: int = 587
    mail_security: str = "starttls"
    mail_username: str = ""
    mail_password: str = field(default="", repr=False)
    #: The From address, e.g. "Norrsunds samordningsförbund <enkat@norrsund.se>".
    mail_sender: str = ""
    #: Other upper-case keys (Flask's own, e.g. SESSION_COOKIE_SECURE), passed through.
    flask: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls, instance_path: str | Path, overrides: Mapping[str, Any] | None = None
    ) -> Settings:
        instance = Path(instance_path)
        values: dict[str, Any] = {k: os.environ[k] for k in KEYS if os.environ.get(k, "").strip()}
        values.update(_config_file(instance / "config.py"))
        values.update(overrides or {})
        public = str(values.get("PUBLIC_URL") or "").strip().rstrip("/")
        return cls(
            instance_path=instance,
            database_url=database_url(values.get("DATABASE_URL"), instance),
            secret_key=str(values.get("SECRET_KEY") or secret_key(instance)),
            public_url=public or LOCAL_URL,
            public_url_set=bool(public),
            min_group_size=configured_k(values.get("MIN_GROUP_SIZE")),
            questionnaire_dir=Path(values.get("QUESTIONNAIRE_DIR") or questionnaire_dir()),
            min_reference_associations=configured_reference_minimum(
                values.get("MIN_REFERENCE_ASSOCIATIONS")
            ),
            ratelimit_storage_uri=str(values.get("RATELIMIT_STORAGE_URI") or "memory://"),
            rate_limit_login=str(values.get("RATE_LIMIT_LOGIN") or DEFAULT_RATE_LIMIT_LOGIN),
            rate_limit_respond=str(values.get("RATE_LIMIT_RESPOND") or DEFAULT_RATE_LIMIT_RESPOND),
            trusted_proxies=trusted_proxies(values.get("TRUSTED_PROXIES", 0)),
            privacy_operator=str(values.get("PRIVACY_OPERATOR") or "").strip(),
            privacy_contact=str(values.get("PRIVACY_CONTACT") or "").strip(),
            privacy_draft_days=draft_days(values.get("PRIVACY_DRAFT_DAYS")),
            accessibility_contact=str(
                values.get("ACCESSIBILITY_CONTACT") or values.get("PRIVACY_CONTACT") or ""
            ).strip(),
            chromium_path=str(values.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM_PATH),
            rate_limit_pdf=str(values.get("RATE_LIMIT_PDF") or DEFAULT_RATE_LIMIT_PDF),
            rate_limit_api=str(values.get("RATE_LIMIT_API") or DEFAULT_RATE_LIMIT_API),
            rate_limit_api_address=str(
                values.get("RATE_LIMIT_API_ADDRESS") or DEFAULT_RATE_LIMIT_API_ADDRESS
            ),
            **mail_settings(values),
            flask={k: v for k, v in values.items() if k not in KEYS},
        )

    @property
    def https(self) -> bool:
        """Served over HTTPS (by its public address): cookies then travel only over HTTPS."""
        return self.public_url.startswith("https://")

    def link(self, path: str, base_url: str | None = None) -> str:
        """An absolute link to a path of the app, on the public address."""
        return (base_url or self.public_url).rstrip("/") + "/" + path.lstrip("/")


def _config_file(path: Path) -> dict[str, Any]:
    """The upper-case names a Python config file sets, as Flask's `from_pyfile` reads them."""
    if not path.is_file():
        return {}
    scope: dict[str, Any] = {"__file__": str(path)}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), scope)  # noqa: S102
    return {k: v for k, v in scope.items() if k.isupper()}


def database_url(configured: object, instance_path: Path) -> str:
    """The configured URL (PostgreSQL in production), else SQLite in the instance folder."""
    url = str(configured or "").strip()
    if not url:
        return "sqlite:///" + str(instance_path / "survey.db")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: Path) -> str:
    """A key generated once and kept in the instance folder, for when none is configured."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def trusted_proxies(value: object) -> int:
    """A count of proxies; anything else is a configuration mistake, refused at start-up
    rather than silently trusting (or ignoring) forwarded headers."""
    text = str(value).strip() or "0"
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"TRUSTED_PROXIES must be a number of proxies (0, 1, …), not {value!r}")
    return int(text)


def draft_days(value: object) -> int:
    """A whole number of days from 1 up; anything else is refused at start-up, since the
    privacy notice would otherwise promise a period nobody chose."""
    if value is None or str(value).strip() == "":
        return DEFAULT_PRIVACY_DRAFT_DAYS
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError(f"PRIVACY_DRAFT_DAYS must be a number of days (1, 2, …), not {value!r}")
    return int(text)


def mail_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The SMTP settings; a security mode or port that is not one is refused at start-up
    rather than sending in clear text (or not at all) by surprise."""
    security = str(values.get("MAIL_SECURITY") or "starttls").strip().lower()
    if security not in MAIL_SECURITY:
        raise ValueError(
            f"MAIL_SECURITY must be one of {', '.join(MAIL_SECURITY)}, not {security!r}"
        )
    port = str(values.get("MAIL_PORT") or MAIL_SECURITY[security]).strip()
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"MAIL_PORT must be a port number, not {port!r}")
    for key in ("MAIL_USERNAME", "MAIL_PASSWORD"):
        if not str(values.get(key) or "").isascii():
            # smtplib sends the log-in as ASCII: better refused now than by every send.
            raise ValueError(f"{key} must be ASCII: smtplib cannot send other characters")
    return {
        "mail_host": str(values.get("MAIL_HOST") or "").strip(),
        "mail_port": int(port),
        "mail_security": security,
        "mail_username": str(values.get("MAIL_USERNAME") or ""),
        "mail_password": str(values.get("MAIL_PASSWORD") or ""),
        "mail_sender": str(values.get("MAIL_SENDER") or "").strip(),
    }


def questionnaire_dir() -> Path:
    """./questionnaires, else the folder beside the package (a checkout run from elsewhere)."""
    here = Path("questionnaires")
    beside_package = Path(__file__).resolve().parent.parent / "questionnaires"
    return here if here.is_dir() or not beside_package.is_dir() else beside_package
