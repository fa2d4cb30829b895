"""No token in any log: the server's request lines pass through a filter that masks the
link in the path (`/r/<token>/p/2` is logged as `/r/<link>/p/2`), and gunicorn's access
log (deploy/gunicorn.conf.py) masks every field it writes, the Referer included, before
the app is even loaded. A set-password link is a credential too: masked the same way."""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

from survey.rounds.invitations import mask_tokens

#: Loggers that write request lines: Flask's development server, and gunicorn's access log.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
_PASSWORD_LINK = re.compile(r"/set-password/[^/?#\s\"]+")


def mask(text: str) -> str:
    """Every respondent link's and set-password link's token replaced."""
    return _PASSWORD_LINK.sub("/set-password/<link>", mask_tokens(text))


class MaskTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            # gunicorn's access log passes its atoms as a dict subclass that answers "-"
            # for a missing one: changed in place, so it stays that class.
            for key, value in record.args.items():
                if isinstance(value, str):
                    record.args[key] = mask(value)
        return True


def mask_request_logs() -> None:
    """Install the filter once per process on every logger that writes request lines."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskTokens) for f in logger.filters):
            logger.addFilter(MaskTokens())


class MaskedAccessLogger(Logger):
    """gunicorn's logger whose access-log fields (request line, path, Referer, every
    request header) never hold a link's token: `logger_class` in deploy/gunicorn.conf.py."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        found = super().atoms(resp, req, environ, request_time)
        return {k: mask(v) if isinstance(v, str) else v for k, v in found.items()}
