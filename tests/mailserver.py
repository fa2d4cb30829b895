"""A real SMTP server on loopback for the e-mail tests (aiosmtpd, in a thread, on a free
port): it keeps what arrives, can refuse addresses with a given reply, hold a message
before answering (to stop a worker mid-send) and vanish and come back on the same port."""

from __future__ import annotations

import asyncio
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd's handler: what arrived, and how to answer."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        #: address → the reply to its RCPT, e.g. "550 5.1.1 No such mailbox".
        self.refuse: dict[str, str] = {}
        #: When set, DATA waits (the worker is mid-send) until `release` is set.
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.hold.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class _Controller(Controller):
    def _trigger_server(self):
        # Bound to port 0: read the port the system gave before aiosmtpd connects to it.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """`options` go to aiosmtpd's Controller (TLS, authentication)."""

    def __init__(self, **options) -> None:
        self.inbox = Inbox()
        self.port = 0
        self.options = options
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def start(self) -> None:
        self._controller = _Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, **self.options
        )
        self._controller.start()
        self.port = self._controller.port

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, seconds: float = 10) -> None:
        """Until `count` messages have arrived (a worker in another process sends them)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} arrived"
            time.sleep(0.02)
