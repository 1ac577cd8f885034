"""HTML to PDF with WeasyPrint, the one way every app makes its documents.

What a document may load: `data:` URLs and our own static files, read from disk through
Django's static-file finders. Nothing else is fetched: no network, no other file. A PDF is
often rendered inside a request, and must neither wait on this very server (a single worker
would deadlock) nor be made to reach an address that a template or a user's text names.
Links still resolve against SITE_URL, so a relative link in a document is a working address
on paper. Anything refused is left out of the PDF, with WeasyPrint's warning in the log.
"""

from __future__ import annotations

import mimetypes
from contextlib import nullcontext
from datetime import tzinfo
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation


def static_file(url: str) -> Path | None:
    """The file on disk of one of our static assets named by an absolute `url`, else None."""
    static_url = settings.STATIC_URL or "/static/"
    if not urlsplit(static_url).scheme:  # "/static/": served by this site
        static_url = settings.SITE_URL + static_url
    if not url.startswith(static_url):
        return None
    relative = unquote(urlsplit(url.removeprefix(static_url)).path)
    parts = PurePosixPath(relative).parts
    if not parts or relative.startswith("/") or ".." in parts:
        return None
    found = finders.find(relative)
    return Path(found) if isinstance(found, str) else None


@cache
def _fetcher() -> Any:
    # Built on first use: WeasyPrint is slow to import and only documents need it.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)  # decoded in memory: allowed_protocols
            path = static_file(url)
            if path is None:
                raise ValueError(f"not loaded (only data: URLs and our static files): {url}")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

    return OwnFilesOnly(allowed_protocols={"data"}, allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`, loading only what the module docstring allows."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_fetcher())
    return bytes(document.write_pdf())


def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    language: str | None = None,
    time_zone: str | tzinfo | None = None,
    request: HttpRequest | None = None,
) -> bytes:
    """`template` rendered to PDF, in `language` and with times in `time_zone` when given
    (a clinic's documents show its own clock); otherwise in the ones active now."""
    in_language = translation.override(language) if language else nullcontext()
    in_zone = timezone.override(time_zone) if time_zone else nullcontext()
    with in_language, in_zone:
        html = render_to_string(template, context, request=request)
    return html_to_pdf(html)
