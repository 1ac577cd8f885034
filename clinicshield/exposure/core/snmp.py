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


class _Collector(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.replies: list[tuple[str, bytes]] = []

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        self.replies.append((str(addr[0]), data))


async def check_snmp(
    addresses: Sequence[str], timeout: float = 1.0, tries: int = 2
) -> list[SnmpFinding]:
    """Ask every address with every default community; UDP is lossy, so ask `tries` times."""
    loop = asyncio.get_running_loop()
    findings: dict[tuple[str, str], SnmpFinding] = {}
    for family_addresses in (
        [a for a in addresses if ":" not in a],
        [a for a in addresses if ":" in a],
    ):
        if not family_addresses:
            continue
        local = ("::", 0) if ":" in family_addresses[0] else ("0.0.0.0", 0)  # noqa: S104
        transport, collector = await loop.create_datagram_endpoint(_Collector, local_addr=local)
        try:
            for _ in range(tries):
                for address in family_addresses:
                    for community in COMMUNITIES:
                        request = get_request(community, int.from_bytes(os.urandom(3), "big"))
                        transport.sendto(request, (address, 161))
                await asyncio.sleep(timeout)
        finally:
            transport.close()
        for address, data in collector.replies:
            parsed = parse_response(data)
            if parsed is not None and parsed[0] in COMMUNITIES:
                findings[(address, parsed[0])] = SnmpFinding(address, parsed[0], parsed[1])
    return list(findings.values())
