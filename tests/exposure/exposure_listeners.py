"""Listeners started inside a lab namespace: `python exposure_listeners.py JSON`.

JSON is a list of {"kind": ..., "port": ...} objects. Kinds:
  plain   accept and say nothing          banner  send "text" on connect
  http    answer with a Server header     https   the same over TLS (cert names "names")
  rdp     answer an X.224 connection request like a Windows RDP server
  smb     answer a negotiate request with an SMB2 header
  answer  say nothing first, answer whatever arrives with "text" (a clear-text protocol's
          error, as Redis gives to an HTTP request), then wait for more
  dicom   a pynetdicom C-ECHO SCP ("require_calling_aet": [...] to be strict)
  snmp    UDP: answer GET requests carrying community "community"
Prints "ready" once every listener is bound, then serves until killed.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import ssl
import sys
import tempfile
from typing import Any


def make_tls_context(names: list[str]) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    folder = tempfile.mkdtemp()
    with open(f"{folder}/c.pem", "wb") as out:
        out.write(cert.public_bytes(serialization.Encoding.PEM))
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(f"{folder}/c.pem")
    return context


def handler(spec: dict[str, Any]):  # type: ignore[no-untyped-def]
    kind = spec["kind"]

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if kind == "banner":
                writer.write(spec["text"].encode() + b"\r\n")
                await writer.drain()
                await asyncio.wait_for(reader.read(1024), 5)
            elif kind in ("http", "https"):
                await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                server = spec.get("server", "Apache/2.4.41 (Ubuntu)")
                writer.write(
                    f"HTTP/1.1 200 OK\r\nServer: {server}\r\nContent-Length: 2\r\n\r\nok".encode()
                )
                await writer.drain()
            elif kind == "rdp":
                await asyncio.wait_for(reader.read(1024), 5)
                # TPKT + X.224 Connection Confirm + RDP negotiation response (TLS chosen)
                writer.write(bytes.fromhex("030000130ed000001234000200080001000000"))
                await writer.drain()
            elif kind == "answer":
                await asyncio.wait_for(reader.read(1024), 5)
                writer.write(spec["text"].encode() + b"\r\n")
                await writer.drain()
                await asyncio.wait_for(reader.read(1024), 5)
            elif kind == "smb":
                await asyncio.wait_for(reader.read(4096), 5)
                body = b"\xfeSMB" + bytes(60)
                writer.write(len(body).to_bytes(4, "big") + body)
                await writer.drain()
            else:
                await asyncio.wait_for(reader.read(1024), 5)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()

    return handle


def start_dicom(spec: dict[str, Any]) -> None:
    from pynetdicom import AE, evt
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    ae = AE(ae_title=spec.get("ae_title", "PACS"))
    ae.add_supported_context(Verification)
    if spec.get("require_calling_aet"):
        ae.require_calling_aet = spec["require_calling_aet"]
    ae.start_server(
        ("0.0.0.0", spec["port"]), block=False, evt_handlers=[(evt.EVT_C_ECHO, lambda e: 0x0000)]
    )


class SnmpResponder(asyncio.DatagramProtocol):
    def __init__(self, community: bytes) -> None:
        self.community = community

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if self.community in data:  # good enough for a lab agent: echo the request as a response
            self.transport.sendto(data.replace(b"\xa0", b"\xa2", 1), addr)  # type: ignore[attr-defined]


async def main(specs: list[dict[str, Any]]) -> None:
    for spec in specs:
        kind = spec["kind"]
        if kind == "dicom":
            start_dicom(spec)  # binds before returning; serves from its own thread
        elif kind == "snmp":
            loop = asyncio.get_running_loop()
            await loop.create_datagram_endpoint(
                lambda s=spec: SnmpResponder(s.get("community", "public").encode()),
                local_addr=("0.0.0.0", spec.get("port", 161)),
            )
        else:
            context = (
                make_tls_context(spec.get("names", ["lab.example"])) if kind == "https" else None
            )
            await asyncio.start_server(
                handler(spec), "0.0.0.0", spec["port"], ssl=context, backlog=1024
            )
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
