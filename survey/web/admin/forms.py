"""The admin forms' fields read from the request (CSRF is checked app-wide by Flask-WTF's
CSRFProtect before any view runs), and what the administrator reads about a refused field,
in the page's language, for the error summary."""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_babel import gettext as _

from survey.accounts.access import ROLE_NAMES, role_name
from survey.errors import WordedError
from survey.i18n import translate
from survey.web.session import current_principal
from survey.web.shell import ErrorMessage, lang

#: Personal links per request: a large förbund's staff, and a CSV a mail merge takes.
MAX_LINKS = 5000


def field(name: str) -> str:
    return request.form.get(name, "").strip()


def checked(name: str) -> bool:
    return request.form.get(name) in ("1", "on", "yes")


def error(name: str, text: str) -> list[ErrorMessage]:
    return [ErrorMessage(name, name, text)]


def worded(exc: WordedError, name: str = "") -> list[ErrorMessage]:
    """A core refusal in the page's language, pointing at the field it is about (`name`,
    else the field the error names)."""
    name = name or exc.field
    # A round's state and a role are words of the catalogue too ("draft" → "utkast",
    # "board" → "styrelse").
    values = {k: _word(k, v) for k, v in exc.values.items()}
    return [ErrorMessage(name, name or None, translate(lang(), exc.template, **values))]


def _word(key: str, value: object) -> object:
    if key == "state":
        return translate(lang(), str(value))
    if key == "role":
        return translate(lang(), role_name(str(value)))
    return value


def role_names() -> dict[str, str]:
    """Every role code with its name in the page's language."""
    return {role.value: translate(lang(), name) for role, name in ROLE_NAMES.items()}


def actor() -> str | None:
    """Who is acting, for the audit log: the signed-in user's e-mail."""
    principal = current_principal()
    return principal.email if principal else None


def date_field(name: str, label: str) -> tuple[dt.date | None, list[ErrorMessage]]:
    """An optional date as the browser's date input sends it (YYYY-MM-DD)."""
    value = field(name)
    if not value:
        return None, []
    try:
        return dt.date.fromisoformat(value), []
    except ValueError:
        return None, error(
            name,
            _(
                "%(label)s: ”%(value)s” is not a date. Write it as YYYY-MM-DD, e.g. 2026-03-01.",
                label=label,
                value=value[:40],
            ),
        )


def count_field(name: str) -> tuple[int | None, list[ErrorMessage]]:
    value = field(name)
    if value.isdecimal() and len(value) <= 6 and 1 <= int(value) <= MAX_LINKS:
        return int(value), []
    return None, error(
        name,
        _(
            "Number of links: give a whole number from 1 to %(max)s (”%(value)s” was sent).",
            max=MAX_LINKS,
            value=value[:40],
        ),
    )
