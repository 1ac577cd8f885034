"""First analysis of an email that a member of staff reported.

Plain data in (the raw message and what we know of the clinic), plain data out:
findings as codes with a severity and parameters, a verdict and advice codes.
The Django layer turns codes into sentences in the reporter's language. The
verdict is deliberately cautious: one dangerous sign makes the whole message
dangerous, because the cost of a wrong "safe" is far higher than of a wrong
"suspicious".
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .lookalike import find_lookalike, is_genuine, registrable
from .mailparse import Link, ParsedMail, parse_bytes, parse_mail, unwrap_reported

LIKELY_SAFE, SUSPICIOUS, DANGEROUS = "likely_safe", "suspicious", "dangerous"
LOW, MEDIUM, HIGH = "low", "medium", "high"

# Attachment types that run code, or hide something that does, when opened.
RISKY_EXTENSIONS = frozenset(
    {
        "exe",
        "scr",
        "com",
        "pif",
        "bat",
        "cmd",
        "ps1",
        "vbs",
        "vbe",
        "js",
        "jse",
        "wsf",
        "wsh",
        "hta",
        "msi",
        "msix",
        "lnk",
        "url",
        "iso",
        "img",
        "vhd",
        "vhdx",
        "jar",
        "cpl",
        "reg",
        "chm",
        "docm",
        "xlsm",
        "pptm",
        "xlam",
        "one",
        "svg",
        "htm",
        "html",
        "shtml",
    }
)
ARCHIVE_EXTENSIONS = frozenset({"zip", "rar", "7z", "gz", "tar", "cab", "ace"})
HARMLESS_LOOKING = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "jpg", "png", "txt"})
URL_SHORTENERS = frozenset(
    {
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "cutt.ly",
        "rebrand.ly",
        "shorturl.at",
        "t.ly",
        "rb.gy",
    }
)
# ClickFix / FileFix: the page tells the victim to run what it put on the clipboard.
CLICKFIX_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.IGNORECASE))
    for code, pattern in (
        ("run_dialog", r"\b(win(dows)?\s*(key)?\s*\+\s*r|tecla\s+windows\s*\+\s*r|⊞\s*\+\s*r)\b"),
        ("paste_shortcut", r"\b(ctrl|control)\s*\+\s*v\b"),
        (
            "verify_human",
            r"(verify|confirm)\s+(that\s+)?you\s+are\s+(a\s+)?human|"
            r"verifi\w+\s+que\s+(usted\s+)?(es|eres)\s+(un\s+)?humano|"
            r"i\s+am\s+not\s+a\s+robot|no\s+soy\s+un\s+robot",
        ),
        (
            "address_bar_paste",
            r"(file\s+explorer|explorador\s+de\s+archivos).{0,80}"
            r"(address\s+bar|barra\s+de\s+direcciones)|\bctrl\s*\+\s*l\b",
        ),
        ("terminal_command", r"\b(powershell|mshta|cmd\s*/c|curl\s+-|iex\b|invoke-expression)"),
    )
)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OrgContext:
    own_domains: list[str]
    supplier_domains: list[str] = field(default_factory=list)
    names: list[str] = field(
        default_factory=list
    )  # clinic and supplier names seen in display names
    trusted_authserv_ids: list[str] = field(default_factory=list)  # our own MTA's id


@dataclass(frozen=True)
class Analysis:
    verdict: str
    findings: list[Finding]
    advice: list[str]
    subject: str = ""
    from_address: str = ""
    original_found: bool = False


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def parse_auth_results(headers: list[str], trusted_ids: list[str]) -> dict[str, str]:
    """Method -> result (spf, dkim, dmarc) from the first trusted Authentication-Results."""
    for header in headers:
        authserv_id = header.split(";", 1)[0].strip().split()[0] if header.strip() else ""
        if trusted_ids and authserv_id.lower() not in {t.lower() for t in trusted_ids}:
            continue
        results: dict[str, str] = {}
        for method, result in re.findall(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", header, re.I):
            results.setdefault(method.lower(), result.lower())
        if results:
            return results
    return {}


def _check_auth(mail: ParsedMail, context: OrgContext) -> list[Finding]:
    results = parse_auth_results(mail.auth_results, context.trusted_authserv_ids)
    if not results:
        return [Finding("auth_missing", LOW)]
    findings = []
    sender_is_ours = is_genuine(_domain_of(mail.from_address), context.own_domains)
    for method in ("spf", "dkim", "dmarc"):
        result = results.get(method, "none")
        if result in ("fail", "softfail", "permerror"):
            severity = HIGH if (sender_is_ours or method == "dmarc") else MEDIUM
            findings.append(Finding(f"{method}_fail", severity, {"result": result}))
    return findings


def _check_sender(mail: ParsedMail, context: OrgContext) -> list[Finding]:
    findings: list[Finding] = []
    sender_domain = _domain_of(mail.from_address)
    genuine = context.own_domains + context.supplier_domains
    match = find_lookalike(sender_domain, genuine)
    if match:
        findings.append(
            Finding(
                "lookalike_domain",
                HIGH,
                {"domain": match.domain, "imitates": match.imitates, "technique": match.technique},
            )
        )
    name = mail.from_name.lower()
    address_in_name = re.search(r"[\w.+-]+@([\w-]+\.[\w.-]+)", name)
    if address_in_name and address_in_name.group(0) != mail.from_address:
        findings.append(
            Finding(
                "display_name_address",
                MEDIUM,
                {"shown": address_in_name.group(0), "actual": mail.from_address},
            )
        )
    elif not is_genuine(sender_domain, genuine):
        for known in context.names + [registrable(d).split(".")[0] for d in genuine]:
            if len(known) >= 4 and known.lower() in name:
                findings.append(
                    Finding(
                        "display_name_impersonation",
                        MEDIUM,
                        {"name": mail.from_name, "actual": mail.from_address},
                    )
                )
                break
    if mail.reply_to and registrable(_domain_of(mail.reply_to)) != registrable(sender_domain):
        findings.append(Finding("reply_to_elsewhere", MEDIUM, {"reply_to": mail.reply_to}))
    return findings


def _host(url: str) -> str:
    try:
        return (urlsplit(url if "://" in url else f"http://{url}").hostname or "").lower()
    except ValueError:
        return ""


_DOMAIN_IN_TEXT_RE = re.compile(r"\b((?:[a-z0-9-]+\.)+[a-z]{2,})\b", re.IGNORECASE)


def _check_link(link: Link, context: OrgContext) -> list[Finding]:
    if not link.href.lower().startswith(("http://", "https://")):
        return []
    host = _host(link.href)
    findings: list[Finding] = []
    shown = _DOMAIN_IN_TEXT_RE.search(link.text)
    if shown and host and registrable(shown.group(1)) != registrable(host):
        findings.append(
            Finding("link_text_mismatch", HIGH, {"shown": shown.group(1), "target": host})
        )
    try:
        ipaddress.ip_address(host)
        findings.append(Finding("link_to_ip_address", MEDIUM, {"target": host}))
    except ValueError:
        pass
    if host in URL_SHORTENERS:
        findings.append(Finding("link_shortener", MEDIUM, {"target": host}))
    if host.startswith("xn--") or ".xn--" in host:
        findings.append(Finding("link_punycode", MEDIUM, {"target": host}))
    match = find_lookalike(host, context.own_domains + context.supplier_domains)
    if match:
        findings.append(
            Finding("link_lookalike_domain", HIGH, {"target": host, "imitates": match.imitates})
        )
    return findings


def _check_attachment(name: str) -> list[Finding]:
    parts = name.lower().rsplit(".", 2)
    extension = parts[-1] if len(parts) > 1 else ""
    if len(parts) == 3 and parts[1] in HARMLESS_LOOKING and extension not in HARMLESS_LOOKING:
        return [Finding("attachment_double_extension", HIGH, {"name": name})]
    if extension in RISKY_EXTENSIONS:
        return [Finding("attachment_risky_type", HIGH, {"name": name, "type": extension})]
    if extension in ARCHIVE_EXTENSIONS:
        return [Finding("attachment_archive", MEDIUM, {"name": name, "type": extension})]
    return []


def _check_clickfix(text: str) -> list[Finding]:
    hits = [code for code, pattern in CLICKFIX_PATTERNS if pattern.search(text)]
    if not hits:
        return []
    # One phrase alone ("I am not a robot") is common; paste-and-run instructions are not.
    severity = HIGH if len(hits) >= 2 or "run_dialog" in hits else MEDIUM
    return [Finding("clickfix_instructions", severity, {"signs": ",".join(hits)})]


ADVICE_BY_FINDING = {
    "lookalike_domain": "do_not_reply_or_click",
    "link_text_mismatch": "do_not_click_links",
    "link_lookalike_domain": "do_not_click_links",
    "attachment_risky_type": "do_not_open_attachments",
    "attachment_double_extension": "do_not_open_attachments",
    "clickfix_instructions": "never_paste_commands",
    "display_name_impersonation": "verify_by_phone",
    "display_name_address": "verify_by_phone",
    "reply_to_elsewhere": "verify_by_phone",
}


def analyse_message(raw: bytes, context: OrgContext) -> Analysis:
    message, original_found = unwrap_reported(parse_bytes(raw))
    mail = parse_mail(message)
    findings = _check_auth(mail, context) + _check_sender(mail, context)
    for link in mail.links:
        for finding in _check_link(link, context):
            if finding not in findings:
                findings.append(finding)
    for name in mail.attachment_names:
        findings.extend(_check_attachment(name))
    findings.extend(_check_clickfix(f"{mail.subject}\n{mail.text}"))
    return Analysis(
        verdict=_verdict(findings),
        findings=findings,
        advice=_advice(findings),
        subject=mail.subject,
        from_address=mail.from_address,
        original_found=original_found,
    )


def _verdict(findings: list[Finding]) -> str:
    severities = [f.severity for f in findings]
    if HIGH in severities:
        return DANGEROUS
    if MEDIUM in severities:
        return SUSPICIOUS
    return LIKELY_SAFE


def _advice(findings: list[Finding]) -> list[str]:
    advice: list[str] = []
    for finding in findings:
        code = ADVICE_BY_FINDING.get(finding.code)
        if code and code not in advice:
            advice.append(code)
    verdict = _verdict(findings)
    if verdict == DANGEROUS:
        advice += ["delete_after_it_confirms", "tell_it_if_you_interacted"]
    elif verdict == SUSPICIOUS:
        advice += ["wait_for_it", "tell_it_if_you_interacted"]
    else:
        advice.append("still_be_careful")
    return advice
