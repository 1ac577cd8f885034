"""The settings page tells how webhooks are signed, with the header format shown as text."""

import html
import re
from typing import Any

from clinicshield.accounts.models import Organisation


def _signature_format(page: str) -> str:
    found = re.search(r'<code data-testid="signature-format">(.*?)</code>', page, re.S)
    assert found is not None
    return html.unescape(found.group(1))


def test_the_webhook_header_format_is_shown_not_eaten_as_tags(
    client_alice: Any, org_a: Organisation
) -> None:
    page = client_alice.get("/o/clinic-a/people/settings/").content.decode()
    assert "<unix time>" not in page  # a raw tag the browser would swallow
    assert "&lt;unix time&gt;" in page
    assert _signature_format(page) == (
        "t=<unix time>,v1=<hex HMAC-SHA256 of “<unix time>.<body>” with this secret>"
    )
    assert "The secret is shown only once" in page


def test_the_spanish_page_shows_the_format_too(client_alice: Any, org_a: Organisation) -> None:
    client_alice.post("/i18n/setlang/", {"language": "es", "next": "/"})
    page = client_alice.get("/o/clinic-a/people/settings/").content.decode()
    assert "<hora unix>" not in page
    assert _signature_format(page).startswith("t=<hora unix>,v1=<HMAC-SHA256")
    assert "El secreto se muestra una sola vez" in page
