"""One e-mail, made when it is sent (the outbox never stores a text with a link): the
förbund's text in the person's language, their own link, the sender from the settings."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from survey.mail import links, texts
from survey.mail.outbox import Outgoing
from survey.settings import Settings


def message(outgoing: Outgoing, text: texts.Text, settings: Settings) -> EmailMessage:
    token = links.token_for(settings.secret_key, outgoing.link_seed)
    filled = texts.fill(
        text,
        link=settings.link(f"/r/{token}"),
        forbund=outgoing.forbund,
        closes_on=outgoing.closes_on,
        label=outgoing.label,
        minutes=outgoing.minutes,
    )
    mail = EmailMessage()
    mail["From"] = settings.mail_sender
    mail["To"] = outgoing.address
    mail["Subject"] = filled.subject
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(settings.mail_sender)[1].rpartition("@")[2] or "localhost"
    # The same id on every attempt, so a mail system that got it twice can tell.
    mail["Message-ID"] = f"<{outgoing.kind}.{outgoing.message_id}@{domain}>"
    mail.set_content(filled.body, cte="quoted-printable")
    mail["Content-Language"] = outgoing.language  # after: set_content clears Content-*
    return mail
