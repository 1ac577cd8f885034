"""Splitting a syslog TCP stream into messages (RFC 6587).

Senders frame messages either by *octet counting* (``<length> <message>``, what RFC 5425
and modern rsyslog/syslog-ng use) or by a trailing newline (the traditional way). A
connection may use either; we decide per message from its first byte: a digit starts a
length, anything else (``<`` of a PRI) a newline-terminated message. UDP needs no framing:
one datagram is one message.
"""

from __future__ import annotations

MAX_MESSAGE = 64 * 1024  # longer "messages" are cut: a broken sender must not eat memory


class StreamFramer:
    """Feed bytes as they arrive; take whole messages out."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[str]:
        self.buffer.extend(data)
        messages: list[str] = []
        while self.buffer:
            message = self._next()
            if message is None:
                break
            if message.strip():
                messages.append(message)
        return messages

    def close(self) -> list[str]:
        """What is left when the sender hangs up: a last message without its newline."""
        rest = bytes(self.buffer).strip(b"\r\n\0 ")
        self.buffer.clear()
        return [decode(rest)] if rest else []

    def _next(self) -> str | None:
        if self.buffer[:1].isdigit():
            space = self.buffer.find(b" ", 0, 12)
            if space > 0 and self.buffer[:space].isdigit():
                length = int(self.buffer[:space])
                end = space + 1 + length
                if len(self.buffer) < end:
                    return None if length <= MAX_MESSAGE else self._cut(space + 1)
                message = bytes(self.buffer[space + 1 : end])
                del self.buffer[:end]
                return decode(message)
        newline = self.buffer.find(b"\n")
        if newline == -1:
            return None if len(self.buffer) <= MAX_MESSAGE else self._cut(0)
        message = bytes(self.buffer[:newline])
        del self.buffer[: newline + 1]
        return decode(message)

    def _cut(self, start: int) -> str:
        message = bytes(self.buffer[start : start + MAX_MESSAGE])
        self.buffer.clear()
        return decode(message)


def decode(message: bytes) -> str:
    """Message text: UTF-8 (RFC 5424) with bad bytes replaced, no line ending or NUL."""
    return message.rstrip(b"\r\n\0").decode("utf-8", errors="replace").replace("\n", " ")
