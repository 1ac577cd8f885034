import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from clinicshield.exposure.core import dicom, identify, snmp


def test_it_recognises_greetings() -> None:
    assert identify.classify_greeting(22, b"SSH-2.0-OpenSSH_9.6\r\n")[0] == "ssh"
    assert identify.classify_greeting(21, b"220 ProFTPD ready\r\n")[0] == "ftp"
    assert identify.classify_greeting(25, b"220 mx ESMTP Postfix\r\n")[0] == "smtp"
    service, line = identify.classify_greeting(2222, b"SSH-2.0-x\x00\x1b[31m\r\nmore")
    assert service == "ssh" and line == "SSH-2.0-x??[31m"  # control bytes never reach a page


def test_it_reads_smb_and_http_replies() -> None:
    reply = (68 + 6).to_bytes(4, "big") + b"\xfeSMB" + bytes(60) + bytes(4) + b"\x10\x02"
    assert identify.parse_smb_reply(reply) == {"smb_version": "2+", "smb_dialect": "2.10"}
    assert identify.parse_smb_reply(b"\x00\x00\x00\x10\xffSMBxxxx") == {"smb_version": "1"}
    assert identify.parse_smb_reply(b"HTTP/1.1 400") is None
    http = identify.parse_http_reply(b"HTTP/1.1 200 OK\r\nServer: Orthanc/1.12\r\n\r\n")
    assert http == {"status": "HTTP/1.1 200 OK", "server": "Orthanc/1.12"}
    assert identify.smb2_negotiate_request()[4:8] == b"\xfeSMB"


def test_it_reads_names_from_a_certificate() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pacs.clinic.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("pacs.clinic.example"), x509.DNSName("pacs")]
            ),
            False,
        )
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    assert identify.certificate_names(der) == ["pacs.clinic.example", "pacs"]


def test_snmp_requests_and_replies_round_trip() -> None:
    request = snmp.get_request("public", 0x010203)
    assert request[0] == 0x30 and b"public" in request
    reply = bytearray(request.replace(b"\xa0", b"\xa2", 1))
    assert snmp.parse_response(bytes(reply)) == ("public", "")
    assert snmp.parse_response(request) is None  # a request is not a reply
    assert snmp.parse_response(b"\x30\x05\x02") is None  # truncated


def test_our_association_request_is_what_pynetdicom_reads() -> None:
    from pynetdicom.pdu import A_ASSOCIATE_RQ

    request = A_ASSOCIATE_RQ()
    request.decode(dicom.association_request())
    assert request.calling_ae_title == "CSHIELD-PROBE"
    assert request.called_ae_title == "ANY-SCP"
    assert request.application_context_name == "1.2.840.10008.3.1.1.1"
    [context] = request.presentation_context
    assert context.abstract_syntax == "1.2.840.10008.1.1"  # Verification
    assert context.transfer_syntax == ["1.2.840.10008.1.2"]
    assert request.user_information.implementation_class_uid.startswith("2.25.")


def test_it_tells_dicom_answers_from_other_bytes() -> None:
    from pynetdicom.pdu import A_ASSOCIATE_RJ

    rejection = A_ASSOCIATE_RJ()
    rejection.result, rejection.source, rejection.reason_diagnostic = 1, 1, 3  # unknown caller
    assert dicom.association_answer(rejection.encode()) == dicom.REJECTED
    assert dicom.association_answer(b"\x07\x00\x00\x00\x00\x04\x00\x00\x00\x00") == dicom.REJECTED
    assert dicom.association_answer(b"\x02\x00\x00\x00\x00\xb0" + bytes(176)) == dicom.ACCEPTED
    for other in (
        b"",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"HTTP/1.1 400 Bad Request\r\n",
        b"\x03\x00\x00\x00\x10\x00",
    ):
        assert dicom.association_answer(other) is None
