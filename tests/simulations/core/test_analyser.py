from clinicshield.simulations.core.analyser import (
    DANGEROUS,
    LIKELY_SAFE,
    SUSPICIOUS,
    OrgContext,
    analyse_message,
    parse_auth_results,
)

from .mails import report_forward, suspicious_email

CLINIC = OrgContext(
    own_domains=["clinicasol.es"],
    supplier_domains=["medisuministros.com", "labnet.es"],
    names=["Clínica Sol", "Medisuministros"],
)


def codes(analysis):
    return [f.code for f in analysis.findings]


def test_it_judges_an_authenticated_plain_email_from_a_known_supplier_likely_safe():
    analysis = analyse_message(report_forward(suspicious_email()), CLINIC)
    assert analysis.original_found
    assert analysis.from_address == "cobros@medisuministros.com"
    assert analysis.verdict == LIKELY_SAFE, analysis.findings
    assert analysis.advice == ["still_be_careful"]


def test_it_reads_spf_dkim_dmarc_from_the_topmost_authentication_results():
    headers = [
        "mx.clinicasol.es; spf=softfail smtp.mailfrom=x.com; dkim=none; "
        "dmarc=fail header.from=x.com",
        "other.example; spf=pass",
    ]
    assert parse_auth_results(headers, []) == {"spf": "softfail", "dkim": "none", "dmarc": "fail"}
    assert parse_auth_results(headers, ["other.example"]) == {"spf": "pass"}


def test_it_flags_a_spoofed_own_domain_that_fails_dmarc_as_dangerous():
    mail = suspicious_email(
        from_header="Dirección <direccion@clinicasol.es>",
        auth="mx.clinicasol.es; spf=fail smtp.mailfrom=clinicasol.es; dkim=none; "
        "dmarc=fail header.from=clinicasol.es",
    )
    analysis = analyse_message(report_forward(mail), CLINIC)
    assert {"spf_fail", "dmarc_fail"} <= set(codes(analysis))
    assert analysis.verdict == DANGEROUS


def test_it_spots_a_look_alike_supplier_domain_and_a_reply_to_elsewhere():
    mail = suspicious_email(
        from_header="Medisuministros Ibérica <cobros@medisuministro.com>",
        auth="mx.clinicasol.es; spf=pass smtp.mailfrom=medisuministro.com; dkim=pass; dmarc=pass",
        reply_to="pagos@correo-rapido.example",
    )
    analysis = analyse_message(report_forward(mail), CLINIC)
    lookalike = next(f for f in analysis.findings if f.code == "lookalike_domain")
    assert lookalike.params["imitates"] == "medisuministros.com"
    assert "reply_to_elsewhere" in codes(analysis)
    assert analysis.verdict == DANGEROUS
    assert "do_not_reply_or_click" in analysis.advice


def test_it_spots_a_display_name_that_borrows_the_clinics_name():
    mail = suspicious_email(from_header="Clínica Sol - Nóminas <nominas@payroll-portal.example>")
    analysis = analyse_message(report_forward(mail), CLINIC)
    assert "display_name_impersonation" in codes(analysis)
    assert analysis.verdict == SUSPICIOUS
    assert "verify_by_phone" in analysis.advice


def test_it_spots_links_whose_text_and_target_differ():
    html = (
        '<p>Pague aquí: <a href="https://pagos.evil.example/fac">https://www.medisuministros.com/facturas</a></p>'
        '<p><a href="http://203.0.113.9/x">ver</a> <a href="https://bit.ly/abc">más</a></p>'
    )
    analysis = analyse_message(report_forward(suspicious_email(html=html)), CLINIC)
    mismatch = next(f for f in analysis.findings if f.code == "link_text_mismatch")
    assert mismatch.params == {"shown": "www.medisuministros.com", "target": "pagos.evil.example"}
    assert {"link_to_ip_address", "link_shortener"} <= set(codes(analysis))
    assert analysis.verdict == DANGEROUS


def test_it_flags_risky_and_disguised_attachments():
    mail = suspicious_email(
        attachments=(("factura.pdf.exe", b"MZ"), ("datos.zip", b"PK"), ("nota.pdf", b"%PDF"))
    )
    analysis = analyse_message(report_forward(mail), CLINIC)
    assert ("attachment_double_extension", "factura.pdf.exe") in [
        (f.code, f.params.get("name")) for f in analysis.findings
    ]
    assert "attachment_archive" in codes(analysis)
    assert not any(f.params.get("name") == "nota.pdf" for f in analysis.findings)
    assert analysis.verdict == DANGEROUS


def test_it_recognises_clickfix_instructions_in_english_and_spanish():
    english = suspicious_email(
        text="To verify you are human press Win + R, then CTRL+V and Enter.",
        subject="Security check",
    )
    spanish = suspicious_email(
        text="Para verificar que es humano pulse la tecla Windows + R, luego Ctrl + V e Intro."
    )
    for mail in (english, spanish):
        analysis = analyse_message(report_forward(mail), CLINIC)
        finding = next(f for f in analysis.findings if f.code == "clickfix_instructions")
        assert "run_dialog" in finding.params["signs"]
        assert analysis.verdict == DANGEROUS
        assert "never_paste_commands" in analysis.advice


def test_it_analyses_the_message_itself_when_nothing_is_attached():
    mail = suspicious_email(auth=None)
    analysis = analyse_message(bytes(mail), CLINIC)
    assert not analysis.original_found
    assert "auth_missing" in codes(analysis)
    assert analysis.verdict == LIKELY_SAFE
