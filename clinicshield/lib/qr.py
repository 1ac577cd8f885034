"""QR codes as SVG: inline in a page or a PDF, or as a data: URL for an <img>."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe


def _svg_bytes(text: str) -> bytes:
    # Error correction M survives a creased or smudged poster; the quiet zone is the
    # standard's four modules (the page's CSS sets the printed size, margin included).
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(text: str) -> SafeString:
    """An inline <svg> element encoding `text`, without the XML declaration (it sits in HTML)."""
    svg = _svg_bytes(text).decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - qrcode's own markup, no user HTML


def qr_data_url(text: str) -> str:
    """`data:image/svg+xml;base64,...` encoding `text`, for an <img src>."""
    return "data:image/svg+xml;base64," + base64.b64encode(_svg_bytes(text)).decode()
