"""The words of invitations and reminders: a förbund's own, or the catalogue's defaults,
with placeholders filled in when a message is sent.

Placeholders are written in braces: {link} (the person's own link; the body must have it),
{forbund} (the förbund's name), {closes} (the round's last day) and {round} (its label).
A brace for its own sake is written twice: {{ or }}.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import models
from survey.db.models import MailLanguage, MessageKind
from survey.errors import MailTextRejected
from survey.i18n import N_, translate

PLACEHOLDERS = ("link", "forbund", "closes", "round", "minutes")
MAX_SUBJECT = 200
MAX_BODY = 5000

DEFAULTS = {
    MessageKind.INVITATION: (
        N_("Questionnaire from {forbund}: how does our collaboration work?"),
        N_(
            "Hello,\n\n{forbund} asks you to answer a short questionnaire on how the "
            "collaboration between the agencies works. It takes about {minutes} minutes. Your "
            "answers are anonymous: nobody can see what you answered.\n\n"
            "Your own link:\n{link}\n\n"
            "The link is yours alone, so do not pass it on. You can save and continue later "
            "through the same link. The questionnaire closes on {closes}.\n\n"
            "Thank you for taking part!"
        ),
    ),
    MessageKind.REMINDER: (
        N_("Reminder: questionnaire from {forbund}"),
        N_(
            "Hello,\n\nWe have not yet received your answers to {forbund}'s questionnaire "
            "on collaboration. Every answer counts, and it takes about {minutes} minutes.\n\n"
            "Your own link:\n{link}\n\n"
            "If you have started, the link takes you to where you stopped. The questionnaire "
            "closes on {closes}.\n\n"
            "If you have answered already, thank you, and please ignore this message."
        ),
    ),
}


@dataclass(frozen=True)
class Text:
    kind: str
    language: str
    subject: str
    body: str
    #: True when the förbund saved its own; False for the catalogue's default.
    own: bool


def default(kind: str, language: str) -> Text:
    subject, body = DEFAULTS[MessageKind(kind)]
    return Text(kind, language, translate(language, subject), translate(language, body), False)


def texts_of(session: Session, association_id: int) -> dict[tuple[str, str], Text]:
    """Every (kind, language) → the text in use: the förbund's own where saved."""
    found = {
        (t.kind, t.language): Text(t.kind, t.language, t.subject, t.body, True)
        for t in session.scalars(select(models.MailText).filter_by(association_id=association_id))
    }
    return {
        (kind, language): found.get((kind, language)) or default(kind, language)
        for kind in MessageKind
        for language in MailLanguage
    }


def problems(subject: str, body: str) -> list[tuple[str, str, str]]:
    """What is wrong with a text: (field, reason, detail) for the page to word.
    Reasons: empty, too_long, line_break, braces, unknown_placeholder, no_link."""
    found: list[tuple[str, str, str]] = []
    for name, value, limit in (("subject", subject, MAX_SUBJECT), ("body", body, MAX_BODY)):
        if not value.strip():
            found.append((name, "empty", ""))
            continue
        if len(value) > limit:
            found.append((name, "too_long", str(limit)))
        names = _placeholders(value)
        if names is None:
            found.append((name, "braces", ""))
        else:
            found += [(name, "unknown_placeholder", n) for n in names if n not in PLACEHOLDERS]
            if name == "body" and "link" not in names:
                found.append((name, "no_link", ""))
    if "\n" in subject or "\r" in subject:
        found.append(("subject", "line_break", ""))  # a header cannot hold one
    return found


def _placeholders(text: str) -> list[str] | None:
    """The placeholder names in `text`, or None where its braces do not pair up (or hold
    more than a name, such as {link.x} or {link!r})."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return None
    names = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            return None
        names.append(name)
    return names


def check(subject: str, body: str) -> None:
    found = problems(subject, body)
    if found:
        raise MailTextRejected(found)


def closing_day(closes_on: dt.date | None, language: str) -> str:
    if closes_on is None:
        return translate(language, "a date still to be announced")
    return format_date(closes_on, format="long", locale=language)


def fill(
    text: Text,
    *,
    link: str,
    forbund: str,
    closes_on: dt.date | None,
    label: str,
    minutes: int = 10,
) -> Text:
    """The text with its placeholders filled in (a saved text was checked when saved);
    {minutes} is the questionnaire's own figure, as its start page gives it."""
    values = {
        "link": link,
        "forbund": forbund,
        "closes": closing_day(closes_on, text.language),
        "round": label,
        "minutes": str(minutes),
    }
    return Text(
        text.kind,
        text.language,
        text.subject.format_map(values),
        text.body.format_map(values),
        text.own,
    )
