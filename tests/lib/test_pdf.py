"""PDFs load only data: URLs and our own static files: never the network, never other files."""

import base64
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from clinicshield.lib.pdf import html_to_pdf, render_pdf, static_file
from tests.system import need_program


class Counter(BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        Counter.paths.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def loopback_site(settings: Any) -> Iterator[str]:
    """A real HTTP server on loopback that is also SITE_URL: whatever a PDF fetches lands here."""
    Counter.paths = []
    server = HTTPServer(("127.0.0.1", 0), Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SITE_URL = f"http://127.0.0.1:{server.server_port}"
    try:
        yield settings.SITE_URL
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def own_static(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A static folder of ours holding one PNG (the finders are rebuilt to see it)."""
    folder = tmp_path / "static"
    folder.mkdir()
    png(folder / "logo.png")
    settings.STATICFILES_DIRS = [folder]
    finders.get_finder.cache_clear()
    yield folder
    finders.get_finder.cache_clear()


def png(path: Path | None = None) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    if path is not None:
        path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def images_in(pdf: bytes, folder: Path) -> int:
    pdfimages = need_program("pdfimages", "poppler-utils")
    path = folder / "out.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run([pdfimages, "-list", path], capture_output=True, text=True).stdout
    return len(listing.splitlines()) - 2  # two header lines


def test_it_loads_our_static_files_and_data_urls_and_fetches_nothing(
    loopback_site: str, own_static: Path, tmp_path: Path
) -> None:
    inline = "data:image/png;base64," + base64.b64encode(png()).decode()
    html = (
        '<link rel="stylesheet" href="/o/clinic-a/style.css">'
        f'<img src="/static/logo.png"><img src="{inline}">'
        f'<img src="{loopback_site}/tracker.png"><img src="/elsewhere.png">'
        '<img src="file:///etc/hostname"><img src="http://127.0.0.2:9/x.png">'
        "<p>Hello</p>"
    )
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    assert Counter.paths == []  # the site itself was never asked, nor anything else
    assert images_in(pdf, tmp_path) == 2  # the static PNG and the data: one


def test_static_file_names_only_files_under_our_static_folders(
    settings: Any, own_static: Path
) -> None:
    settings.SITE_URL = "https://clinic.example"
    assert static_file("https://clinic.example/static/logo.png") == own_static / "logo.png"
    assert static_file("https://clinic.example/static/logo.png?v=2") == own_static / "logo.png"
    assert static_file("https://clinic.example/static/clinicshield/shield.svg") is not None
    assert static_file("https://clinic.example/static/../settings.py") is None
    assert static_file("https://clinic.example/static/%2e%2e/settings.py") is None
    assert static_file("https://clinic.example/static/missing.png") is None
    assert static_file("https://other.example/static/logo.png") is None
    assert static_file("file:///etc/hostname") is None


def test_render_pdf_renders_in_the_language_and_time_zone_it_is_given(
    settings: Any, tmp_path: Path
) -> None:
    pdftotext = need_program("pdftotext", "poppler-utils")
    (tmp_path / "doc.html").write_text(
        '{% load i18n %}<p>{% translate "Yes" %} {{ when|time:"H:i" }}</p>'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    when = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    pdf = render_pdf("doc.html", {"when": when}, language="es", time_zone="Europe/Madrid")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run([pdftotext, path, "-"], capture_output=True, text=True).stdout
    assert "Sí 13:00" in text  # Spanish, and Madrid's clock (UTC+1 in January)
