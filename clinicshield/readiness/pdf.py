"""PDFs (posters, after-action reports) rendered from templates by WeasyPrint, and QR codes."""

from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code for `url` (error correction M: survives a creased poster)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration: it is embedded in HTML
    return mark_safe(svg)  # noqa: S308 - produced by qrcode from our own URL, no user markup


def render_pdf(
    template: str,
    context: dict[str, Any],
    request: HttpRequest | None = None,
    time_zone: str = "UTC",
) -> bytes:
    """Render `template` to PDF; times are shown in `time_zone` (the clinic's, on paper)."""
    from weasyprint import HTML  # imported late: it is slow to import and only PDFs need it

    with timezone.override(ZoneInfo(time_zone)):
        html = render_to_string(template, context, request=request)
    return bytes(HTML(string=html, base_url=settings.SITE_URL).write_pdf())
