"""Domain errors raised by the core; the web shell maps each to one page and status code."""

from __future__ import annotations

import datetime as dt


class SurveyError(Exception):
    """Base of the errors a user can cause; the message is safe to show."""


class WordedError(SurveyError):
    """An error whose message is an English msgid with %(name)s placeholders, marked with
    `survey.i18n.N_` where it is raised: `str()` is the English text (the command line),
    and the web words `template` with `values` in the page's language. `field` names the
    form field it is about ("" when none), so a page points its error summary there."""

    def __init__(self, template: str, /, *, field: str = "", **values: object):
        self.template, self.values, self.field = template, values, field
        super().__init__(template % values if values else template)


class InvalidToken(SurveyError):
    """A link that is wrong, or already used: deliberately indistinguishable."""


class RoundNotOpen(SurveyError):
    def __init__(self, state: str, opens_on: dt.date | None, closes_on: dt.date | None):
        self.state = state
        self.opens_on = opens_on
        self.closes_on = closes_on
        super().__init__(f"round is {state}")


class InvalidAnswer(SurveyError):
    """Form data that the questionnaire does not allow (out of range, unknown code…)."""


class NotFound(SurveyError):
    """A förbund, round or dimension that does not exist.

    `what` is one of WHAT; the web shell words it in the page's language from the fields,
    the command line prints the English `str()`.
    """

    WHAT = ("association", "round", "no_rounds", "dimension")

    def __init__(self, what: str, name: str, within: str | None = None):
        if what not in self.WHAT:
            raise ValueError(f"unknown kind of missing thing {what!r}")
        self.what, self.name, self.within = what, name, within
        super().__init__(self._english())

    def _english(self) -> str:
        if self.what == "association":
            return f"No förbund '{self.name}'"
        if self.what == "no_rounds":
            return f"{self.within} has no survey rounds yet"
        if self.what == "dimension":
            return f"No dimension '{self.name}' in this questionnaire"
        return f"No survey round '{self.name}'" + (f" for {self.within}" if self.within else "")


class RoundSetupError(WordedError):
    """A förbund or round that cannot be created or moved to another state as asked."""


class PdfUnavailable(SurveyError):
    """The board report cannot be printed to PDF now: `reason` "busy" (another PDF is
    being printed) or "failed" (Chromium did not finish); the page offers the browser's
    print instead."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"the PDF could not be made ({reason})")


class ExportRefused(SurveyError):
    """An export that cannot be made as asked (a bad filter, or questionnaire versions
    whose statements differ in one wide sheet); the message says what to change.

    `reason` ("no_match", "mixed_versions") and `details` let the web shell word it in the
    page's language; the command line prints the English `str()`.
    """

    def __init__(self, message: str, reason: str | None = None, **details: str):
        self.reason = reason
        self.details = details
        super().__init__(message)


class SchemaError(SurveyError):
    """A database the migrations cannot bring to this code's schema (tables that are not a
    known revision's, a revision newer than the code); the message says what was found."""


class AuthenticationFailed(SurveyError):
    """A wrong e-mail or password. Deliberately the same for an unknown e-mail, so the
    log-in page does not tell who has an account."""


class AccountLocked(SurveyError):
    """Too many failed log-ins: no password is tried before `until` (UTC)."""

    def __init__(self, until: dt.datetime):
        self.until = until
        super().__init__(f"the account is locked until {until:%Y-%m-%d %H:%M} UTC")


class SecondFactorFailed(SurveyError):
    """A wrong, expired or already used authenticator or recovery code."""


class PasswordRejected(SurveyError):
    """A new password that does not meet the rules; `reason` is "too_short", "too_long" or
    "is_email", `limit` the length that applies, so the web words it in the page's language."""

    def __init__(self, reason: str, limit: int = 0):
        self.reason, self.limit = reason, limit
        messages = {
            "too_short": f"the password needs at least {limit} characters",
            "too_long": f"the password may have at most {limit} characters",
            "is_email": "the password may not be the e-mail address",
        }
        super().__init__(messages[reason])


class InvalidPasswordLink(SurveyError):
    """A set-password link that is wrong, used or expired: deliberately indistinguishable."""


class AccountSetupError(WordedError):
    """A user or role that cannot be added or changed as asked (the message says why)."""


class FederationConfigError(SurveyError):
    """instance/federation.yaml cannot be used: the file, the place in it and the fault,
    like a questionnaire file's (survey/federation/config.py)."""

    def __init__(self, source: str, place: str, fault: str):
        self.source, self.place, self.fault = source, place, fault
        super().__init__(f"{source}: {place}: {fault}" if place else f"{source}: {fault}")


class FederatedLoginRefused(SurveyError):
    """A log-in through an identity provider that is refused; `reason` is one of REASONS
    (the web words it), `detail` says more for the audit log and the command line (never
    shown to the person: it may name the protocol fault an attacker probes for)."""

    REASONS = (
        "unknown_user",  # nobody invited with this identity or verified e-mail
        "no_roles",  # roles from attributes: no configured attribute gave a role
        "email_unverified",  # linking needs an e-mail address the provider has verified
        "linked_elsewhere",  # the account is linked to another identity at this provider
        "locked",  # the account is locked after failed log-ins
        "passwords_off",  # password log-in is switched off for this installation
        "unknown_provider",
        "cancelled",  # the person or the provider broke the log-in off
        "protocol",  # the provider's answer failed a check (signature, audience, time...)
        "unavailable",  # the provider did not answer
    )

    def __init__(self, reason: str, detail: str = ""):
        if reason not in self.REASONS:
            raise ValueError(f"unknown refusal {reason!r}")
        self.reason, self.detail = reason, detail
        super().__init__(f"federated log-in refused: {reason}" + (f" ({detail})" if detail else ""))


class MailRefused(SurveyError):
    """An e-mail step that cannot be taken now; `reason` lets the web word it:
    "round_state" (the round does not take addresses or messages in its state; `state`),
    "not_configured" (the worker lacks a setting: `missing`),
    "no_addresses" (an empty list), "too_many" (`count`, `limit`), "file_too_large"
    (`size`, `limit` in kB), "nobody" (no one to send to)."""

    def __init__(self, reason: str, message: str | None = None, **details: object):
        self.reason, self.details = reason, details
        super().__init__(message or f"e-mail refused: {reason} {details}")


class AddressesRejected(SurveyError):
    """A list of addresses with faulty lines: nothing of it was stored. `problems` are
    survey.mail.addresses.Problem (line, text, reason)."""

    def __init__(self, problems: list):
        self.problems = problems
        super().__init__("; ".join(f"line {p.line}: {p.text!r} ({p.reason})" for p in problems[:5]))


class MailTextRejected(SurveyError):
    """An invitation or reminder text that cannot be used: `problems` are (field, reason,
    detail) from survey.mail.texts.problems; nothing was saved."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}: {r} {d}".strip() for f, r, d in problems))


class StorageUnavailable(SurveyError):
    """The database cannot take a write now: `reason` "busy" (other writers held the lock
    past the wait and its retries), "full" (disk or database full) or "read_only" (the
    database or its folder cannot be written). Nothing of the request was saved; the web
    shell answers 503 with a page saying so, the command line prints the message."""

    MESSAGES = {
        "busy": "the database is busy with other writes; nothing was saved, try again",
        "full": "the disk (or the database) is full; nothing was saved",
        "read_only": "the database can only be read (its file or folder is read-only); "
        "nothing was saved",
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(self.MESSAGES[reason])


class BackupRefused(SurveyError):
    """A backup or restore that would overwrite something (an existing file, newer data)
    or could not be made; the message says what."""
