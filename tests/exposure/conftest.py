"""Fixtures for exposure tests: throw-away labs of network namespaces."""

import os
from collections.abc import Iterator

import pytest

from tests.exposure.exposure_netlab import Lab
from tests.system import need_root_netns


def lab_tag(name: str) -> str:
    """Namespace names unique to this test process, so parallel runs never collide."""
    return f"cs{os.getpid() % 100000}{name}"


@pytest.fixture(scope="module")
def service_lab() -> Iterator[Lab]:
    """Hosts with known services on 10.213.7.0/24 (only inside the lab's namespaces).

    .10  ssh, ftp, smtp, http, https, rdp, smb, an open DICOM SCP on 104, SNMP public;
         8080 and 9100 silently dropped (filtered); a silent listener on 4242 (Orthanc's
         DICOM port, but not DICOM)
    .11  a strict DICOM SCP on 11112 (only calling AE MODALITY1); everything else closed
    .12  drops every TCP packet (found only through the link layer)
    .13-.20 absent
    """
    need_root_netns()
    lab = Lab(lab_tag("svc"), subnet="10.213.7")
    try:
        lab.open()
        rich, strict, silent = lab.add_host(10), lab.add_host(11), lab.add_host(12)
        lab.wait_for_links()
        rich.serve(
            [
                {"kind": "banner", "port": 22, "text": "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3"},
                {"kind": "banner", "port": 21, "text": "220 (vsFTPd 3.0.5)"},
                {"kind": "banner", "port": 25, "text": "220 mail.clinic.example ESMTP Postfix"},
                {"kind": "http", "port": 80, "server": "nginx/1.18.0"},
                {"kind": "https", "port": 443, "names": ["pacs.clinic.example", "pacs"]},
                {"kind": "rdp", "port": 3389},
                {"kind": "smb", "port": 445},
                {"kind": "dicom", "port": 104},
                {"kind": "plain", "port": 8080},
                {"kind": "plain", "port": 9100},
                {"kind": "plain", "port": 4242},  # numbered like DICOM, says nothing
                {"kind": "snmp", "community": "public"},
            ]
        )
        rich.drop([8080, 9100])
        strict.serve([{"kind": "dicom", "port": 11112, "require_calling_aet": ["MODALITY1"]}])
        silent.firewall("dropall", "meta l4proto tcp drop")
        yield lab
    finally:
        lab.close()
