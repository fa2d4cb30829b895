"""Where a log-in leads: the page asked for before it (`next`), if that is a page of this
site, else the front page. One function, so the log-in form, the code step and an already
logged-in visitor of /login all take the same care."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

#: Longer than any address of this site.
MAX_LENGTH = 2000
#: What browsers drop from anywhere in an address before reading it.
DROPPED = str.maketrans("", "", "\t\n\r")


def safe_next(target: str | None) -> str | None:
    """`target` as a path of this site that the router knows (with its query), or None.

    Read as a browser would (tabs and line breaks dropped, surrounding blanks trimmed), it
    must then hold no control, format or blank character and no backslash, encoded or not,
    name no scheme and no host, begin with one "/", and match a route that answers GET.
    """
    if not target or len(target) > MAX_LENGTH:
        return None
    seen = target.translate(DROPPED).strip(" ")
    parts = urlsplit(seen)
    path = unquote(parts.path)
    if (
        parts.scheme
        or parts.netloc
        or not path.startswith("/")
        or path.startswith("//")
        or not all(_plain(c) for c in seen + path)
        or not _routed(path)
    ):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _plain(char: str) -> bool:
    """Neither a backslash nor a control, format, surrogate, unassigned or blank character."""
    return char != "\\" and unicodedata.category(char)[0] not in "CZ"


def _routed(path: str) -> bool:
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(path, method="GET")
    except (HTTPException, RequestRedirect):
        return False
    return True
