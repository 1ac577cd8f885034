"""DICOM association test: does a PACS or modality accept a caller it has never heard of?

We ask for the Verification service (C-ECHO) with a calling AE title that no clinic
configures. A device that accepts it will accept anyone on the network: anyone can then
query, retrieve or store studies. A rejection still proves the port speaks DICOM.
"""

from __future__ import annotations

import logging
from typing import Any

DICOM_PORTS = frozenset({104, 2761, 2762, 4242, 11112})
PROBE_CALLING_AE = "CSHIELD-PROBE"  # deliberately a title no one has registered
PROBE_CALLED_AE = "ANY-SCP"

logging.getLogger("pynetdicom").setLevel(logging.CRITICAL)  # its INFO lines are not ours to print


def echo_check(address: str, port: int, timeout: float = 3.0) -> dict[str, Any] | None:
    """Blocking; run in a thread. None when the port does not answer like DICOM."""
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

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
            code = int(status.Status) if status and "Status" in status else None
            return {
                "dicom_accepts_any_calling_ae": True,
                "dicom_echo_status": code,
                "dicom_calling_ae": PROBE_CALLING_AE,
            }
        if assoc.is_rejected or assoc.is_aborted:
            # The device spoke DICOM and turned an unknown caller away: the right answer.
            return {"dicom_accepts_any_calling_ae": False}
        return None
    finally:
        if assoc.is_established:
            assoc.release()
        ae.shutdown()
