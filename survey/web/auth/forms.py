"""The log-in forms' fields read from the request, and what the person reads about a field
left empty or a refused password, in their language (for the error summary)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from survey.errors import AccountLocked, PasswordRejected
from survey.web.shell import ErrorMessage


def field(name: str, *, strip: bool = True) -> str:
    """One posted field; passwords keep their spaces (they are part of the password)."""
    value = request.form.get(name, "")
    return value.strip() if strip else value


def missing(**fields: str) -> list[ErrorMessage]:
    """An error for each required field left empty (keys: field names, values: what was
    sent)."""
    asks = {
        "email": _("Enter your e-mail address."),
        "password": _("Enter your password."),
        "code": _("Enter the code from your authenticator app or a recovery code."),
        "repeat": _("Enter the new password again."),
    }
    return [ErrorMessage(name, name, asks[name]) for name, value in fields.items() if not value]


def error(name: str, text: str) -> list[ErrorMessage]:
    return [ErrorMessage(name, name, text)]


def wrong_credentials() -> list[ErrorMessage]:
    # The same words for an unknown e-mail: the page must not tell who has an account.
    return error("email", _("The e-mail address or the password is wrong."))


def wrong_code() -> list[ErrorMessage]:
    return error("code", _("The code is wrong or has already been used. Try the newest code."))


def locked(exc: AccountLocked, name: str) -> list[ErrorMessage]:
    return error(
        name,
        _(
            "Too many failed attempts: the account is locked until %(time)s UTC. "
            "Try again after that.",
            time=exc.until.strftime("%Y-%m-%d %H:%M"),
        ),
    )


def password_rejected(exc: PasswordRejected) -> list[ErrorMessage]:
    texts = {
        "too_short": _("The password needs at least %(n)s characters.", n=exc.limit),
        "too_long": _("The password may have at most %(n)s characters.", n=exc.limit),
        "is_email": _("The password may not be your e-mail address."),
    }
    return error("password", texts[exc.reason])


def passwords_differ() -> list[ErrorMessage]:
    return error("repeat", _("The two passwords are not the same."))


def passwords_off() -> list[ErrorMessage]:
    return error(
        "providers",
        _("Log-in with a password is switched off here. Log in through your organisation."),
    )
