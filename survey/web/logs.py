"""No token in any log: the server's request lines pass through a filter that masks the
link in the path (`/r/<token>/p/2` is logged as `/r/<link>/p/2`)."""

from __future__ import annotations

import logging

from survey.rounds.invitations import mask_tokens

#: Loggers that write request lines: Flask's development server, and gunicorn's access log.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


class MaskTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_tokens(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(mask_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):  # gunicorn's access log passes its atoms
            record.args = {
                k: mask_tokens(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def mask_request_logs() -> None:
    """Install the filter once per process on every logger that writes request lines."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskTokens) for f in logger.filters):
            logger.addFilter(MaskTokens())
