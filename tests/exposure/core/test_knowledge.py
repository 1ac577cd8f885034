import pytest

from clinicshield.exposure.core.knowledge import (
    KnowledgeBaseError,
    assess,
    knowledge_base,
    parse_knowledge_base,
)


def test_it_knows_at_least_forty_ports_in_english_and_spanish() -> None:
    entries = knowledge_base()
    assert len(entries) >= 40
    for entry in entries.values():
        for text in (entry.name, entry.risk, entry.advice):
            assert text["en"].strip() and text["es"].strip()
        assert entry.risk["en"] != entry.risk["es"]  # translated, not copied
        assert entry.advice["en"] != entry.advice["es"]


def test_it_covers_the_services_a_clinic_must_check() -> None:
    services = {entry.service for entry in knowledge_base().values()}
    for needed in (
        "rdp",
        "smb",
        "netbios-ssn",
        "vnc",
        "telnet",
        "ftp",
        "tftp",
        "snmp",
        "mssql",
        "mysql",
        "postgresql",
        "mongodb",
        "redis",
        "elasticsearch",
        "dicom",
        "hl7",
        "anydesk",
        "teamviewer",
        "jetdirect",
        "ipp",
        "upnp",
        "ipmi",
        "orthanc-web",
    ):
        assert needed in services, needed


def test_smb_risk_depends_on_the_zone() -> None:
    assert assess(445, zone="servers").severity == "low"
    assert assess(445, zone="clinical").severity == "high"
    assert assess(445, zone="guest").severity == "critical"
    assert assess(445, zone="servers", from_zone="guest").severity == "critical"


def test_a_dicom_port_that_accepts_anyone_is_at_least_high() -> None:
    open_to_anyone = {"dicom_accepts_any_calling_ae": True}
    assert assess(11112, zone="devices").severity == "low"
    assert assess(11112, zone="devices", details=open_to_anyone).severity == "high"
    assert assess(4242, zone="admin", details=open_to_anyone).severity == "critical"


def test_an_unknown_port_is_information_only() -> None:
    result = assess(31337)
    assert (result.severity, result.reason, result.entry) == ("info", "unknown_port", None)


def test_it_says_which_entry_lacks_a_translation() -> None:
    text = """
entries:
  - port: 1
    proto: tcp
    service: x
    severity: low
    name: {en: X, es: X}
    risk: {en: "r"}
    advice: {en: a, es: a}
"""
    with pytest.raises(KnowledgeBaseError, match=r"entry 1 \(port 1\): 'risk' lacks \['es'\]"):
        parse_knowledge_base(text)
