"""Taking an email apart for the analyser: headers, text, links, attachments.

Standard library only. A report usually arrives as a *forward*: the reporter's
own message with the suspicious email attached (message/rfc822). The analyser
must judge the attached original, not the reporter's wrapper, so
`unwrap_reported` returns the innermost attached message when there is one.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser


@dataclass(frozen=True)
class Link:
    href: str
    text: str


@dataclass
class ParsedMail:
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    subject: str = ""
    message_id: str = ""
    auth_results: list[str] = field(default_factory=list)
    text: str = ""
    links: list[Link] = field(default_factory=list)
    attachment_names: list[str] = field(default_factory=list)


def parse_bytes(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def unwrap_reported(message: EmailMessage) -> tuple[EmailMessage, bool]:
    """The original email inside a report forward, and whether one was found."""
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, EmailMessage):
                return inner, True
    return message, False


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.text_parts: list[str] = []
        self._href: str | None = None
        self._anchor_text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._anchor_text = []
        if tag in ("br", "p", "div", "tr", "li"):
            self.text_parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "a" and self._href is not None:
            self.links.append(
                Link(self._href.strip(), " ".join("".join(self._anchor_text).split()))
            )
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text_parts.append(data)
        if self._href is not None:
            self._anchor_text.append(data)


_BARE_URL_RE = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


def _decoded_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # unknown charset or broken encoding: keep going
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def parse_mail(message: EmailMessage) -> ParsedMail:
    from_name, from_address = parseaddr(str(message.get("From", "")))
    reply_pairs = getaddresses([str(v) for v in message.get_all("Reply-To", [])])
    parsed = ParsedMail(
        from_name=from_name.strip(),
        from_address=from_address.strip().lower(),
        reply_to=reply_pairs[0][1].lower() if reply_pairs else "",
        subject=str(message.get("Subject", "")),
        message_id=str(message.get("Message-ID", "")).strip(),
        auth_results=[str(v) for v in message.get_all("Authentication-Results", [])],
    )
    texts: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        filename = part.get_filename()
        if filename or part.get_content_disposition() == "attachment":
            parsed.attachment_names.append(filename or "(unnamed)")
            continue
        if part.get_content_type() == "text/html":
            collector = _LinkCollector()
            collector.feed(_decoded_text(part))
            parsed.links.extend(collector.links)
            texts.append("".join(collector.text_parts))
        elif part.get_content_type() == "text/plain":
            body = _decoded_text(part)
            texts.append(body)
            parsed.links.extend(Link(url, url) for url in _BARE_URL_RE.findall(body))
    parsed.text = "\n".join(texts)
    return parsed
