"""SMTP servers for the crash and throughput tests: real aiosmtpd on loopback."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.conftest import free_port


class SlowMailStore:
    """Stores each message, then waits before answering 250, as a busy MTA does.

    A client killed during that wait never learns that its message was accepted:
    the case RFC 1047 describes, which a resumable sender must handle.
    """

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        await asyncio.sleep(self.delay_s)
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


def start(handler: Any) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port
