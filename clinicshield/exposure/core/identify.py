"""Light service identification of open TCP ports.

At most a few short connections per open port, each with an explicit timeout:
1. wait briefly for a greeting (SSH, FTP, SMTP, and many others speak first);
2. if silent, speak the protocol the port suggests (RDP, SMB, DICOM), or try HTTP,
   then TLS (reading the certificate's names) and HTTP inside it.
Returns plain data: a service name, a one-line product string and details. Raw printing
ports are the exception: nothing is sent to them (see ``RAW_PRINTING_PORTS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .dicom import DICOM_PORTS, check_dicom

RDP_PORTS = frozenset({3389})
SMB_PORTS = frozenset({445, 139})
TLS_FIRST_PORTS = frozenset({443, 465, 636, 990, 993, 995, 2762, 5986, 8443, 9443})
# Raw printing (HP JetDirect and its copies): a printer prints whatever reaches these
# ports, so a probe would come out as a page of junk at every scan. They are named by
# their number and never connected to (nmap's service probes exclude them the same way).
RAW_PRINTING_PORTS = frozenset(range(9100, 9108))

# X.224 connection request carrying an RDP negotiation request (TLS | CredSSP), [MS-RDPBCGR] 2.2.1.1
RDP_REQUEST = bytes.fromhex("030000130ee000000000000100080003000000")


@dataclass
class ServiceInfo:
    port: int
    service: str = "unknown"  # ssh, ftp, smtp, http, https, tls, rdp, smb, dicom, unknown
    product: str = ""  # the greeting line or Server header, cleaned to one printable line
    details: dict[str, Any] = field(default_factory=dict)


def clean_line(raw: bytes, limit: int = 160) -> str:
    """First line of a reply, printable ASCII only, so it is safe to store and show."""
    line = raw.split(b"\n", 1)[0].rstrip(b"\r")
    text = "".join(chr(b) if 32 <= b < 127 else "?" for b in line)
    return text[:limit]


def classify_greeting(port: int, greeting: bytes) -> tuple[str, str]:
    line = clean_line(greeting)
    upper = line.upper()
    if upper.startswith("SSH-"):
        return "ssh", line
    if upper.startswith("220") or upper.startswith("120"):
        if "SMTP" in upper or "MAIL" in upper or port in (25, 465, 587):
            return "smtp", line
        if "FTP" in upper or port in (21, 990):
            return "ftp", line
        return "ftp" if port < 1024 else "unknown", line
    if upper.startswith("+OK"):
        return "pop3", line
    if upper.startswith("* OK"):
        return "imap", line
    if b"mysql_native_password" in greeting or (len(greeting) > 4 and greeting[4:5] == b"\x0a"):
        return "mysql", line
    return "unknown", line


def smb2_negotiate_request() -> bytes:
    """A minimal SMB2 NEGOTIATE offering dialects 2.0.2 and 2.1 ([MS-SMB2] 2.2.3)."""
    header = b"\xfeSMB" + (64).to_bytes(2, "little") + bytes(58)
    body = (
        (36).to_bytes(2, "little")
        + (2).to_bytes(2, "little")  # dialect count
        + (1).to_bytes(2, "little")  # signing enabled
        + bytes(2 + 4)
        + uuid.uuid4().bytes
        + bytes(8)
        + bytes.fromhex("02021002")
    )
    message = header + body
    return len(message).to_bytes(4, "big") + message


def parse_smb_reply(reply: bytes) -> dict[str, Any] | None:
    if len(reply) < 8:
        return None
    if reply[4:8] == b"\xffSMB":
        return {"smb_version": "1"}
    if reply[4:8] != b"\xfeSMB":
        return None
    details: dict[str, Any] = {"smb_version": "2+"}
    if len(reply) >= 4 + 64 + 6:
        dialect = int.from_bytes(reply[4 + 64 + 4 : 4 + 64 + 6], "little")
        if dialect:
            details["smb_dialect"] = f"{dialect >> 8}.{dialect & 0xFF:x}"
    return details


def parse_http_reply(reply: bytes) -> dict[str, str] | None:
    if not reply.startswith(b"HTTP/"):
        return None
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    found = {"status": clean_line(lines[0].encode("latin-1"))}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "server":
            found["server"] = clean_line(value.strip().encode("latin-1"))
    return found


def _is_tls_record(reply: bytes) -> bool:
    """A TLS record (an alert or a handshake): a TLS server's answer to clear text."""
    return reply[:1] in (b"\x15", b"\x16") and reply[1:2] == b"\x03"


def certificate_names(der: bytes) -> list[str]:
    """Subject common name and DNS alternative names of a DER certificate."""
    from cryptography import x509
    from cryptography.x509.oid import ExtensionOID, NameOID

    cert = x509.load_der_x509_certificate(der)
    names = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    with contextlib.suppress(x509.ExtensionNotFound):
        alternative = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        value = alternative.value
        if isinstance(value, x509.SubjectAlternativeName):
            names += [n for n in value.get_values_for_type(x509.DNSName) if n not in names]
    return names


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # We only read what the server presents; we never trust it, so no verification.
    # One context for every probe of the process: it holds no per-connection state.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with contextlib.suppress(ssl.SSLError, ValueError):
        context.set_ciphers("DEFAULT:@SECLEVEL=0")  # old devices still show their names
    return context


async def _exchange(
    address: str, port: int, payload: bytes | None, timeout: float, tls: bool = False
) -> tuple[bytes, ssl.SSLObject | None]:
    """Connect, optionally send, read what comes back within `timeout`."""
    context = _tls_context() if tls else None
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(address, port, ssl=context)
    tls_object = writer.get_extra_info("ssl_object")
    data = b""
    try:
        if payload:
            writer.write(payload)
            await writer.drain()
        with contextlib.suppress(TimeoutError, ConnectionError):
            async with asyncio.timeout(timeout):
                # HTTP replies are read up to the end of their headers; anything else
                # (a greeting, a protocol answer) is judged on its first chunk.
                while len(data) < 8192:
                    chunk = await reader.read(4096)
                    data += chunk
                    if not chunk or not data.startswith(b"HTTP/") or b"\r\n\r\n" in data:
                        break
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return data, tls_object


def _http_request(address: str) -> bytes:
    return f"HEAD / HTTP/1.0\r\nHost: {address}\r\nUser-Agent: ClinicShield-scan\r\n\r\n".encode()


async def identify_port(address: str, port: int, timeout: float = 2.0) -> ServiceInfo:
    info = ServiceInfo(port)
    if port in RAW_PRINTING_PORTS:
        info.service = "jetdirect"
        return info
    try:
        if port in DICOM_PORTS:
            result = await check_dicom(address, port, timeout)
            if result is not None:
                info.service, info.details = "dicom", result
                return info
        if port in RDP_PORTS:
            reply, _ = await _exchange(address, port, RDP_REQUEST, timeout)
            if len(reply) >= 6 and reply[0] == 3 and reply[5] == 0xD0:
                info.service = "rdp"
                return info
        if port in SMB_PORTS:
            reply, _ = await _exchange(address, port, smb2_negotiate_request(), timeout)
            smb = parse_smb_reply(reply)
            if smb is not None:
                info.service, info.details = "smb", smb
                return info
        if port not in TLS_FIRST_PORTS:
            greeting, _ = await _exchange(address, port, None, timeout / 4)
            if greeting:
                info.service, info.product = classify_greeting(port, greeting)
                return info
            if await _try_http(info, address, port, timeout, tls=False) or info.product:
                return info  # HTTP, or another clear-text protocol answered: not TLS
        await _try_http(info, address, port, timeout, tls=True)
    except (OSError, TimeoutError, ssl.SSLError, EOFError):
        pass  # the port is open; we just could not tell what it is
    return info


async def _try_http(info: ServiceInfo, address: str, port: int, timeout: float, tls: bool) -> bool:
    try:
        reply, tls_object = await _exchange(address, port, _http_request(address), timeout, tls=tls)
    except (OSError, TimeoutError, ssl.SSLError):
        return False
    if tls_object is not None:
        info.service = "tls"
        der = tls_object.getpeercert(binary_form=True)
        if der:
            with contextlib.suppress(ValueError):
                info.details["tls_names"] = certificate_names(der)
        info.details["tls_version"] = tls_object.version() or ""
    http = parse_http_reply(reply)
    if http is None:
        if reply and not tls and not _is_tls_record(reply):
            # Another protocol answered in clear text (Redis: "-ERR unknown command"): its
            # first line names it for people, and a TLS attempt would only wait in vain.
            info.product = clean_line(reply)
        return tls_object is not None
    info.service = "https" if tls else "http"
    info.product = http.get("server", "")
    info.details["http_status"] = http["status"]
    return True


async def identify_all(
    open_ports: Mapping[str, Sequence[int]], timeout: float = 2.0, concurrency: int = 64
) -> dict[tuple[str, int], ServiceInfo]:
    """Identify every open port of every host, a bounded number at a time."""
    limit = asyncio.Semaphore(concurrency)

    async def one(address: str, port: int) -> tuple[tuple[str, int], ServiceInfo]:
        async with limit:
            return (address, port), await identify_port(address, port, timeout)

    jobs = [one(a, p) for a, ports in open_ports.items() for p in ports]
    return dict(await asyncio.gather(*jobs))
