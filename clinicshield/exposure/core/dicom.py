"""DICOM association test: does a PACS or modality accept a caller it has never heard of?

We ask for the Verification service (C-ECHO) with a calling AE title that no clinic
configures. A device that accepts it will accept anyone on the network: anyone can then
query, retrieve or store studies. A rejection still proves the port speaks DICOM.

The association request is ours (`association_request`, PS3.8 section 9.3.2): a few
bytes, answered by an A-ASSOCIATE-AC, -RJ or an A-ABORT PDU when the port speaks DICOM.
Only a device that accepts the stranger is then asked for a C-ECHO through pynetdicom,
for its status: loading pynetdicom and pydicom costs half a second of CPU (measured),
which a scan should not pay for every port numbered like DICOM, nor for the strict
devices that turn the stranger away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from typing import Any

DICOM_PORTS = frozenset({104, 2761, 2762, 4242, 11112})
PROBE_CALLING_AE = "CSHIELD-PROBE"  # deliberately a title no one has registered
PROBE_CALLED_AE = "ANY-SCP"

APPLICATION_CONTEXT = b"1.2.840.10008.3.1.1.1"  # the DICOM application context
VERIFICATION = b"1.2.840.10008.1.1"  # Verification SOP class (C-ECHO)
IMPLICIT_LITTLE_ENDIAN = b"1.2.840.10008.1.2"
# Our implementation class UID, under the UUID-derived root 2.25 (PS3.5 B.2): no
# registration needed, and no one else's.
IMPLEMENTATION_CLASS_UID = b"2.25.273392494690408253044025669283384698064"
ACCEPTED, REJECTED = "accepted", "rejected"
_ASSOCIATE_AC, _ASSOCIATE_RJ, _ABORT = 0x02, 0x03, 0x07
_ABORT_PDU = bytes([_ABORT, 0]) + struct.pack(">I", 4) + bytes(4)

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)  # its INFO lines are not ours to print


def _item(kind: int, value: bytes) -> bytes:
    return bytes([kind, 0]) + struct.pack(">H", len(value)) + value


def association_request(calling: str = PROBE_CALLING_AE, called: str = PROBE_CALLED_AE) -> bytes:
    """An A-ASSOCIATE-RQ PDU proposing Verification in implicit VR little endian."""
    context = bytes([1, 0, 0, 0]) + _item(0x30, VERIFICATION) + _item(0x40, IMPLICIT_LITTLE_ENDIAN)
    user_information = _item(0x51, struct.pack(">I", 16384)) + _item(0x52, IMPLEMENTATION_CLASS_UID)
    body = (
        struct.pack(">HH", 1, 0)
        + called.encode("ascii").ljust(16)
        + calling.encode("ascii").ljust(16)
        + bytes(32)
        + _item(0x10, APPLICATION_CONTEXT)
        + _item(0x20, context)
        + _item(0x50, user_information)
    )
    return bytes([0x01, 0]) + struct.pack(">I", len(body)) + body


def association_answer(reply: bytes) -> str | None:
    """ACCEPTED or REJECTED from the first bytes a peer sent back; None if not DICOM."""
    if len(reply) < 6 or reply[1] != 0:
        return None
    kind, length = reply[0], struct.unpack(">I", reply[2:6])[0]
    if kind == _ASSOCIATE_AC and 68 <= length < 1 << 20:
        return ACCEPTED
    if kind in (_ASSOCIATE_RJ, _ABORT) and length == 4:
        return REJECTED  # turned away (or aborted) by a peer that speaks DICOM
    return None


async def ask_association(address: str, port: int, timeout: float) -> str | None:
    """Propose an association as the stranger; what the peer answered, None if not DICOM."""
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(address, port)
    try:
        writer.write(association_request())
        async with asyncio.timeout(timeout):
            reply = await reader.readexactly(6)
        answer = association_answer(reply)
        if answer == ACCEPTED:
            writer.write(_ABORT_PDU)  # end it as DICOM asks, not by dropping the line
            await writer.drain()
        return answer
    except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
        return None
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def accepted_details(address: str, port: int, timeout: float = 3.0) -> dict[str, Any]:
    """Blocking; run in a thread. What a device that accepts the stranger answers a C-ECHO."""
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    details: dict[str, Any] = {
        "dicom_accepts_any_calling_ae": True,
        "dicom_echo_status": None,
        "dicom_calling_ae": PROBE_CALLING_AE,
    }
    ae = AE(ae_title=PROBE_CALLING_AE)
    ae.add_requested_context(Verification)
    ae.acse_timeout = timeout
    ae.dimse_timeout = timeout
    ae.network_timeout = timeout
    ae.connection_timeout = timeout
    assoc = ae.associate(address, port, ae_title=PROBE_CALLED_AE)
    try:
        if assoc.is_established:
            status = assoc.send_c_echo()
            if status and "Status" in status:
                details["dicom_echo_status"] = int(status.Status)
        return details
    finally:
        if assoc.is_established:
            assoc.release()
        ae.shutdown()


async def check_dicom(address: str, port: int, timeout: float) -> dict[str, Any] | None:
    """Details of a port that speaks DICOM (does it accept a stranger?); None otherwise."""
    answer = await ask_association(address, port, timeout)
    if answer == REJECTED:
        return {"dicom_accepts_any_calling_ae": False}
    if answer == ACCEPTED:
        return await asyncio.to_thread(accepted_details, address, port, timeout)
    return None
