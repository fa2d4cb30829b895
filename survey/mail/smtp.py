"""Talking to the SMTP server (smtplib): one connection per worker pass, protected and
logged in as the settings say, and every failure sorted into what it means for the
message: try again later, give up, or unknown whether it arrived."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import parseaddr

from survey.settings import Settings

#: Seconds to wait for the server at each step.
TIMEOUT = 30


class SendFailed(Exception):
    """`temporary`: worth trying again later; `connection`: the server itself is not
    reachable or usable, so the rest of the queue waits too."""

    def __init__(self, reason: str, *, temporary: bool, connection: bool = False):
        self.reason, self.temporary, self.connection = reason, temporary, connection
        super().__init__(reason)


class Uncertain(Exception):
    """The connection broke after the message was handed over: it may have arrived."""


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def _refused(code: int, message: bytes | str, what: str) -> SendFailed:
    # 4xx: the server asks to come back later; 5xx: it will never take this message.
    return SendFailed(f"{what}: {_reply(code, message)}", temporary=400 <= code < 500)


class Connection:
    """A lazily opened SMTP session; `send` raises SendFailed or Uncertain."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        where = f"{s.mail_host}:{s.mail_port}"
        try:
            if s.mail_security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.mail_host,
                    s.mail_port,
                    timeout=TIMEOUT,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(s.mail_host, s.mail_port, timeout=TIMEOUT)
            smtp.ehlo()
            if s.mail_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.mail_username:
                smtp.login(s.mail_username, s.mail_password)
        except smtplib.SMTPAuthenticationError as exc:
            raise SendFailed(
                f"log-in refused by {where}: {_reply(exc.smtp_code, exc.smtp_error)}",
                temporary=True,
                connection=True,
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise SendFailed(
                f"{where} does not offer {exc}", temporary=True, connection=True
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(
                f"could not connect to {where}: {exc}", temporary=True, connection=True
            ) from None
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand one message over: MAIL, RCPT, then DATA. A connection lost before DATA means
        it certainly did not arrive (try again); during DATA, that nobody knows."""
        if self._smtp is None:
            self._smtp = self._open()
        smtp = self._smtp
        sender = parseaddr(str(message["From"]))[1]
        recipient = parseaddr(str(message["To"]))[1]
        try:
            code, reply = smtp.mail(sender)
            if code != 250:
                # About the server's settings (a sender it will not take, a log-in it
                # wants), not this message: the whole queue waits and tries again.
                reason = f"sender refused: {_reply(code, reply)}"
                raise SendFailed(reason, temporary=True, connection=True)
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise _refused(code, reply, "recipient refused")
        except SendFailed:
            self._reset()
            raise
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise SendFailed(f"connection lost: {exc}", temporary=True, connection=True) from None
        self._data(smtp, message)

    def _data(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        try:
            code, reply = smtp.data(message.as_bytes(policy=SMTP_POLICY))
        except smtplib.SMTPDataError as exc:  # refused before the message went
            self._reset()
            raise _refused(exc.smtp_code, exc.smtp_error, "message refused") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise Uncertain(
                f"connection lost while the message was being handed over: {exc}"
            ) from None
        if code != 250:
            self._reset()
            raise _refused(code, reply, "message refused")

    def _reset(self) -> None:
        """After a refusal the session goes on, cleared of the half-made message."""
        try:
            assert self._smtp is not None
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None
