"""UDP check for SNMP agents that answer the default communities public and private.

An agent that answers `public` gives away the device's description, interfaces and often
its configuration; one that answers `private` can usually be reconfigured. We send an
SNMPv2c GetRequest for sysDescr.0 (RFC 3416) and read the reply with a tiny BER reader.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass

SYS_DESCR_OID = bytes.fromhex("2b06010201010100")  # 1.3.6.1.2.1.1.1.0
COMMUNITIES = ("public", "private")


def _tlv(tag: int, value: bytes) -> bytes:
    length = len(value)
    if length < 0x80:
        return bytes([tag, length]) + value
    encoded = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(encoded)]) + encoded + value


def get_request(community: str, request_id: int) -> bytes:
    varbind = _tlv(0x30, _tlv(0x06, SYS_DESCR_OID) + _tlv(0x05, b""))
    pdu = _tlv(
        0xA0,
        _tlv(0x02, request_id.to_bytes(4, "big"))
        + _tlv(0x02, b"\x00")
        + _tlv(0x02, b"\x00")
        + _tlv(0x30, varbind),
    )
    return _tlv(0x30, _tlv(0x02, b"\x01") + _tlv(0x04, community.encode()) + pdu)


def _read_tlv(data: bytes, offset: int) -> tuple[int, bytes, int]:
    tag, length = data[offset], data[offset + 1]
    offset += 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(data[offset : offset + size], "big")
        offset += size
    value = data[offset : offset + length]
    if len(value) != length:
        raise ValueError("truncated BER value")
    return tag, value, offset + length


def parse_response(data: bytes) -> tuple[str, str] | None:
    """(community, sysDescr) from a GetResponse, or None if it is not one."""
    try:
        tag, message, _ = _read_tlv(data, 0)
        if tag != 0x30:
            return None
        _, _, offset = _read_tlv(message, 0)  # version
        _, community, offset = _read_tlv(message, offset)
        pdu_tag, pdu, _ = _read_tlv(message, offset)
        if pdu_tag != 0xA2:
            return None
        offset = 0
        for _ in range(3):  # request id, error status, error index
            _, _, offset = _read_tlv(pdu, offset)
        _, varbinds, _ = _read_tlv(pdu, offset)
        _, varbind, _ = _read_tlv(varbinds, 0)
        _, _, offset = _read_tlv(varbind, 0)
        value_tag, value, _ = _read_tlv(varbind, offset)
    except (IndexError, ValueError):
        return None
    description = value.decode("utf-8", "replace")[:200] if value_tag == 0x04 else ""
    return community.decode("latin-1"), description


@dataclass
class SnmpFinding:
    address: str
    community: str
    description: str


# An agent answers from user space, slower than a kernel refuses a SYN: never wait less.
MIN_ANSWER_WAIT = 0.3


def answer_wait(round_trip: tuple[float, float] | None, timeout: float) -> float:
    """How long to wait for answers after the last question, given the TCP round trips a
    scan saw (smoothed, deviation): twice TCP's retransmission wait, within
    [MIN_ANSWER_WAIT, timeout]. Without any round trip, the whole timeout."""
    if round_trip is None:
        return timeout
    smoothed, deviation = round_trip
    return min(timeout, max(MIN_ANSWER_WAIT, 2 * (smoothed + 4 * deviation)))


class _Collector(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: list[tuple[str, bytes]] = []

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.replies.append((str(addr[0]), data))


class SnmpSession:
    """Ask hosts as they are found; collect the answers at the end.

    One UDP socket per address family for the whole scan. Each host is asked with every
    default community, and asked again `resend_after` seconds later (UDP is lossy);
    `results()` waits `timeout` after the last question, or less when the caller knows
    how fast the network answers.
    """

    def __init__(self, timeout: float = 1.0, tries: int = 2, resend_after: float = 0.25) -> None:
        self.timeout, self.tries, self.resend_after = timeout, tries, resend_after
        self.loop = asyncio.get_running_loop()
        self.endpoints: dict[int, tuple[asyncio.DatagramTransport, _Collector]] = {}
        self.last_question = self.loop.time()

    async def _endpoint(self, version: int) -> tuple[asyncio.DatagramTransport, _Collector]:
        if version not in self.endpoints:
            local = ("::", 0) if version == 6 else ("0.0.0.0", 0)  # noqa: S104
            transport, collector = await self.loop.create_datagram_endpoint(
                _Collector, local_addr=local
            )
            self.endpoints[version] = (transport, collector)
        return self.endpoints[version]

    async def ask(self, address: str) -> None:
        transport, _ = await self._endpoint(6 if ":" in address else 4)
        for attempt in range(self.tries):
            delay = attempt * self.resend_after
            self.loop.call_later(delay, self._send, transport, address)
            self.last_question = max(self.last_question, self.loop.time() + delay)

    @staticmethod
    def _send(transport: asyncio.DatagramTransport, address: str) -> None:
        if transport.is_closing():
            return
        for community in COMMUNITIES:
            request = get_request(community, int.from_bytes(os.urandom(3), "big"))
            transport.sendto(request, (address, 161))

    async def results(self, wait: float | None = None) -> list[SnmpFinding]:
        """Answers received until `wait` (default `timeout`) after the last question."""
        wait = self.timeout if wait is None else wait
        await asyncio.sleep(max(0.0, self.last_question + wait - self.loop.time()))
        findings: dict[tuple[str, str], SnmpFinding] = {}
        for transport, collector in self.endpoints.values():
            transport.close()
            for address, data in collector.replies:
                parsed = parse_response(data)
                if parsed is not None and parsed[0] in COMMUNITIES:
                    findings[(address, parsed[0])] = SnmpFinding(address, parsed[0], parsed[1])
        return list(findings.values())


async def check_snmp(
    addresses: Sequence[str], timeout: float = 1.0, tries: int = 2
) -> list[SnmpFinding]:
    """Ask every address with every default community, `tries` times."""
    session = SnmpSession(timeout, tries)
    for address in addresses:
        await session.ask(address)
    return await session.results()
