"""Builders of real RFC 5322 messages for the analyser and IMAP tests."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid


def suspicious_email(
    *,
    from_header: str = "Medisuministros Ibérica <cobros@medisuministros.com>",
    subject: str = "Factura vencida",
    auth: str | None = "mx.clinicasol.es; spf=pass smtp.mailfrom=medisuministros.com; "
    "dkim=pass header.d=medisuministros.com; dmarc=pass header.from=medisuministros.com",
    text: str = "Buenos días, adjuntamos la factura del mes.",
    html: str | None = None,
    attachments: tuple[tuple[str, bytes], ...] = (),
    reply_to: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    if auth is not None:
        message["Authentication-Results"] = auth
    message["From"] = from_header
    message["To"] = "ana@clinicasol.es"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="sender.example")
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message


def report_forward(original: EmailMessage, reporter: str = "ana@clinicasol.es") -> bytes:
    """What a mail client's "forward as attachment" (or a report button) sends."""
    wrapper = EmailMessage()
    wrapper["From"] = f"Ana Ruiz <{reporter}>"
    wrapper["To"] = "report@clinicasol.es"
    wrapper["Subject"] = f"Fwd: {original['Subject']}"
    wrapper["Message-ID"] = make_msgid(domain="clinicasol.es")
    wrapper.set_content("Esto me parece raro.")
    wrapper.add_attachment(original)
    return bytes(wrapper)
