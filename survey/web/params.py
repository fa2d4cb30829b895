"""Names taken from the address (förbund, round, questionnaire, dimension, peer), cleaned
where they are parsed so odd input is simply "not found", never a database error."""

from __future__ import annotations

from typing import Any

from flask import request

#: Longer than any stored name (a förbund slug is at most 80 characters, a round label 40):
#: a longer one is cut for the message, and the mark added means it cannot match.
MAX_NAME = 100
REPLACEMENT = "\ufffd"


def clean(value: str) -> str:
    """`value` with every character no name can hold (NUL, control and format characters,
    line breaks) replaced by U+FFFD, and cut after MAX_NAME characters.

    PostgreSQL refuses a NUL in a query outright (a 500); every stored name is printable
    ASCII, so a cleaned name finds nothing and the page names what was not found, readably.
    """
    cleaned = "".join(c if c.isprintable() else REPLACEMENT for c in value[: MAX_NAME + 1])
    return cleaned if len(cleaned) <= MAX_NAME else cleaned[:MAX_NAME] + "…"


def arg(key: str) -> str | None:
    """A query parameter as a cleaned name; None when absent or empty."""
    value = request.args.get(key)
    return clean(value) if value else None


def args(key: str) -> list[str]:
    """Every non-empty value of a repeatable query parameter, cleaned."""
    return [clean(v) for v in request.args.getlist(key) if v]


def clean_path(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The names in the path (a förbund's slug, a round label, a link's token), cleaned
    before the view sees them (registered as the app's url_value_preprocessor)."""
    for key, value in (values or {}).items():
        if isinstance(value, str):
            values[key] = clean(value)  # type: ignore[index]
