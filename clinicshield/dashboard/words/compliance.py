"""The compliance evidence in words: what each requirement asks, what is outside
ClinicShield, the regulations' names and the states of coverage."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..core.compliance import COVERED, MISSING, PARTIAL
from .score import COMPONENT_LABELS

# What each requirement asks, in our own words.
ASKS = {
    "hipaa_308a1": gettext_lazy(
        "Security management process: analyse the risks to patient data, reduce them, and "
        "review system activity regularly."
    ),
    "hipaa_308a5": gettext_lazy(
        "Security awareness and training for all staff, including reminders, protection from "
        "malicious software, log-in monitoring and password management."
    ),
    "hipaa_308a6": gettext_lazy(
        "Security incident procedures: identify and respond to incidents, limit their harm "
        "and document them."
    ),
    "hipaa_312b": gettext_lazy(
        "Audit controls: record and examine activity in systems that hold patient data."
    ),
    "gdpr_32_1b": gettext_lazy(
        "Ensure the ongoing confidentiality, integrity and availability of systems."
    ),
    "gdpr_32_1d": gettext_lazy(
        "Regularly test, assess and evaluate how effective the security measures are."
    ),
    "gdpr_32_4": gettext_lazy("Staff who handle personal data act only on instructions."),
    "hicp_1": gettext_lazy("Email protection systems"),
    "hicp_2": gettext_lazy("Endpoint protection systems"),
    "hicp_3": gettext_lazy("Access management"),
    "hicp_4": gettext_lazy("Data protection and loss prevention"),
    "hicp_5": gettext_lazy("Asset management"),
    "hicp_6": gettext_lazy("Network management"),
    "hicp_7": gettext_lazy("Vulnerability management"),
    "hicp_8": gettext_lazy("Security operations center and incident response"),
    "hicp_9": gettext_lazy("Network-connected medical devices"),
    "hicp_10": gettext_lazy("Cybersecurity oversight and governance"),
}
ACTIVITY_LABELS = {**COMPONENT_LABELS, "reports": gettext_lazy("Score history and reports")}
OUTSIDE = {
    "mail_filtering": gettext_lazy(
        "Email filtering (spam and malware gateway, SPF, DKIM, DMARC) is outside ClinicShield: "
        "keep your email provider's evidence."
    ),
    "endpoint_tools": gettext_lazy(
        "Antivirus or EDR and patching of computers are outside ClinicShield: ClinicShield "
        "only detects ClickFix-style commands."
    ),
    "identity_controls": gettext_lazy(
        "Two-step sign-in on the clinic's own systems and account reviews are outside "
        "ClinicShield: ClinicShield watches the sign-ins."
    ),
    "encryption_backups": gettext_lazy(
        "Encryption and tested backups are outside ClinicShield: ClinicShield watches for "
        "large data transfers only."
    ),
    "asset_register": gettext_lazy(
        "A full register of devices and software is outside ClinicShield: scans list what "
        "answers on the network."
    ),
    "patching": gettext_lazy("Installing updates is outside ClinicShield."),
    "device_inventory": gettext_lazy(
        "Medical device inventories and vendor patching are outside ClinicShield: scans and "
        "separation tests cover the network side."
    ),
}
# The regulations' names as a Spanish reader knows them (GDPR is the RGPD in Spain).
FRAMEWORK_LABELS = {
    "HIPAA": gettext_lazy("HIPAA"),
    "GDPR": gettext_lazy("GDPR"),
    "HICP": gettext_lazy("HICP"),
}
STATUS_WORDS = {
    COVERED: gettext_lazy("Covered"),
    PARTIAL: gettext_lazy("Partly covered"),
    MISSING: gettext_lazy("Missing"),
}


def reference_label(reference: str) -> str:
    """The requirement's reference for the reader: the identifiers stay, the words around
    them ("art.", "practice") are translated."""
    if reference.startswith("GDPR art. "):
        return _("GDPR art. %(article)s") % {"article": reference.removeprefix("GDPR art. ")}
    if reference.startswith("405(d) HICP practice "):
        number = reference.removeprefix("405(d) HICP practice ")
        return _("405(d) HICP practice %(number)s") % {"number": number}
    return reference


def gap_sentence(code: str, states: dict[str, str]) -> str:
    if code in OUTSIDE:
        return str(OUTSIDE[code])
    label = ACTIVITY_LABELS[code]
    if states.get(code) == PARTIAL:
        return _("%(activity)s: in place but below half its points.") % {"activity": label}
    return _("%(activity)s: not set up.") % {"activity": label}


def reports_evidence(days: int) -> str:
    return _("%(days)d days of score history kept in the last 90 days.") % {"days": days}
