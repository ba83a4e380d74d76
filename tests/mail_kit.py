"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler that keeps what it receives and can refuse addresses.
    `hold` (a threading.Event) keeps each message waiting until it is set."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()
        self.hold: threading.Event | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.hold.wait, 10)
        parsed = message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def to(self, address: str):
        found = [m for _, rcpt, m in self.messages if rcpt == [address]]
        assert len(found) == 1, f"{len(found)} messages to {address}"
        return found[0]

    def wait_for(self, count: int, seconds: float = 10) -> None:
        """Until `count` messages have arrived (mail sent in the background)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} messages came"
            time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        if handler.hold is not None:
            handler.hold.set()
        controller.stop()
