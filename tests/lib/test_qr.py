"""QR codes: an inline SVG for pages and PDFs, a data: URL for an <img>; both scan back."""

import base64
import subprocess
from pathlib import Path

from clinicshield.lib.qr import qr_data_url, qr_svg
from tests.system import need_program

URL = "http://127.0.0.1:8000/report/abc/"


def scan(svg: bytes, folder: Path) -> str:
    """Rasterise the SVG (as a phone's camera sees it) and read it back with zbarimg."""
    from weasyprint import HTML

    pdftoppm = need_program("pdftoppm", "poppler-utils")
    zbarimg = need_program("zbarimg", "zbar-tools")
    data = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    (folder / "qr.pdf").write_bytes(HTML(string=f'<img src="{data}" width="300">').write_pdf())
    subprocess.run(
        [pdftoppm, "-r", "150", "-png", "-singlefile", folder / "qr.pdf", folder / "qr"], check=True
    )
    found = subprocess.run(
        [zbarimg, "-q", "--raw", folder / "qr.png"], capture_output=True, text=True
    )
    return found.stdout.strip()


def test_the_inline_svg_has_no_script_nor_xml_declaration_and_scans_back(tmp_path: Path) -> None:
    svg = qr_svg(URL)
    assert svg.startswith("<svg") and "<script" not in svg and "<?xml" not in svg
    assert scan(svg.encode(), tmp_path) == URL


def test_the_data_url_is_the_same_code(tmp_path: Path) -> None:
    data = qr_data_url("otpauth://totp/ClinicShield:alice?secret=JBSWY3DPEHPK3PXP")
    assert data.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(data.removeprefix("data:image/svg+xml;base64,"))
    assert scan(svg, tmp_path) == "otpauth://totp/ClinicShield:alice?secret=JBSWY3DPEHPK3PXP"
