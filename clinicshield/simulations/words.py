"""Every sentence of the simulations app built in Python: the stages of a recipient, the
analyser's verdicts, findings and advice (core returns codes), a template's red flags."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .core.library import EmailTemplate

STAGES = {
    "pending": _("not sent yet"),
    "sent": _("sent"),
    "opened": _("opened"),
    "clicked": _("clicked"),
    "submitted": _("submitted a form"),
    "copied": _("copied the command"),
    "executed": _("ran it"),
    "reported": _("reported"),
}

VERDICTS = {
    "simulation": _("a simulation by your clinic"),
    "likely_safe": _("likely safe"),
    "suspicious": _("suspicious"),
    "dangerous": _("dangerous"),
}

FINDINGS = {
    "auth_missing": _(
        "The message carries no authentication results, so its sender is unverified."
    ),
    "spf_fail": _(
        "SPF check: %(result)s. The sending server is not allowed to send for this domain."
    ),
    "dkim_fail": _("DKIM check: %(result)s. The signature does not prove who sent it."),
    "dmarc_fail": _(
        "DMARC check: %(result)s. The sender's domain does not vouch for this message."
    ),
    "lookalike_domain": _(
        "The sender's domain %(domain)s imitates %(imitates)s, but it is a different domain."
    ),
    "display_name_address": _(
        "The name shown contains the address %(shown)s, but the real sender is %(actual)s."
    ),
    "display_name_impersonation": _(
        "The name shown, “%(name)s”, borrows a name you know, but the real sender is %(actual)s."
    ),
    "reply_to_elsewhere": _("Replies would go to %(reply_to)s, not to the sender."),
    "link_text_mismatch": _("A link shows %(shown)s but actually goes to %(target)s."),
    "link_to_ip_address": _("A link goes to a bare IP address (%(target)s)."),
    "link_shortener": _("A link hides its destination behind a shortener (%(target)s)."),
    "link_punycode": _("A link uses a disguised international domain (%(target)s)."),
    "link_lookalike_domain": _("A link goes to %(target)s, which imitates %(imitates)s."),
    "attachment_risky_type": _("The attachment %(name)s is a type that can run code."),
    "attachment_double_extension": _(
        "The attachment %(name)s hides its real type behind a double extension."
    ),
    "attachment_archive": _("The attachment %(name)s is an archive that can hide anything."),
    "clickfix_instructions": _(
        "It tells you to press keys and paste something to “verify” or “fix” a problem: "
        "that is how ClickFix attacks run malware."
    ),
}

ADVICE = {
    "do_not_reply_or_click": _("Do not reply, click or open anything in this message."),
    "do_not_click_links": _("Do not click its links."),
    "do_not_open_attachments": _("Do not open its attachments."),
    "never_paste_commands": _("Never paste anything into Win+R, a terminal or File Explorer."),
    "verify_by_phone": _("If it asks for something, call the sender on a number you already had."),
    "delete_after_it_confirms": _("IT has been told. Delete it once IT confirms."),
    "tell_it_if_you_interacted": _(
        "If you already clicked, opened or typed something, tell IT now."
    ),
    "wait_for_it": _("Leave it alone until IT has looked at it."),
    "still_be_careful": _(
        "We found no warning signs, but stay careful: check any request for money or passwords."
    ),
}


def stage_label(code: str) -> str:
    """A recipient's status or an event (``clicked``) in words; an unknown code as it is."""
    return str(STAGES.get(code, code))


def red_flags(template: EmailTemplate, language: str) -> list[str]:
    """What a careful reader could have spotted, in `language` (English when the template
    does not say it in that language)."""
    return [flag.text.get(language, flag.text["en"]) for flag in template.red_flags]


def finding_sentence(code: str, params: dict[str, Any]) -> str:
    template = FINDINGS.get(code)
    if template is None:
        return code
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def explain_analysis(analysis: dict[str, Any]) -> dict[str, Any]:
    """The stored analysis (codes) as sentences in the active language."""
    return {
        "verdict": str(VERDICTS.get(analysis.get("verdict", ""), analysis.get("verdict", ""))),
        "findings": [
            finding_sentence(f["code"], f.get("params", {})) for f in analysis.get("findings", [])
        ],
        "advice": [str(ADVICE.get(code, code)) for code in analysis.get("advice", [])],
    }
