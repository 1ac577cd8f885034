"""Alert explanations as one sentence in the reader's language.

Core returns a code and parameters (``core/explain.py`` lists them); this module holds the
sentences, all through gettext, so English and Spanish readers each get their own. Call
``render`` inside ``translation.override`` to choose the language. Also the words those
sentences share with the pages: alert kinds, weekdays, hours of the week, logon types.
"""

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from clinicshield.lib.language import current_language

from ..core.explain import day_group, human_bytes, merge_spans

WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]

KIND_LABELS = {
    "off_hours": gettext_lazy("Sign-in at an unusual hour"),
    "new_country": gettext_lazy("Sign-in from a new country"),
    "new_asn": gettext_lazy("Sign-in from a new network"),
    "new_device": gettext_lazy("Sign-in from a new device"),
    "impossible_travel": gettext_lazy("Impossible travel"),
    "brute_force": gettext_lazy("Password guessing"),
    "password_spray": gettext_lazy("Password spray"),
    "spray_success": gettext_lazy("Sign-in after a password spray"),
    "service_account_interactive": gettext_lazy("Service account used by a person"),
    "clickfix": gettext_lazy("ClickFix command"),
    "sigma": gettext_lazy("Sigma rule match"),
    "exfiltration": gettext_lazy("Data leaving the network"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind.replace("_", " ").replace(".", ": ")))


def spans(items: list[dict[str, Any]]) -> str:
    """[{"days": [0..4], "start": "08:00", "end": "15:00"}] -> '08:00–15:00 on weekdays'."""
    phrases = []
    for item in items:
        hours = {"start": item["start"], "end": item["end"]}
        group = day_group(item["days"])
        if group == "weekdays":
            phrases.append(_("%(start)s–%(end)s on weekdays") % hours)
        elif group == "weekends":
            phrases.append(_("%(start)s–%(end)s at weekends") % hours)
        elif group == "every_day":
            phrases.append(_("%(start)s–%(end)s every day") % hours)
        else:
            days = ", ".join(str(WEEKDAYS[d]) for d in item["days"])
            phrases.append(_("%(start)s–%(end)s on %(days)s") % {**hours, "days": days})
    return _("; ").join(phrases) if phrases else _("never at this time")


def _listing(values: list[Any]) -> str:
    return ", ".join(str(v) for v in values) if values else "—"


def _off_hours_habit(p: dict[str, Any]) -> str:
    return _("%(user)s signed in at %(time)s on %(weekday)s; they usually sign in %(usual)s.") % {
        "user": p["user"],
        "time": p["time"],
        "weekday": WEEKDAYS[p["weekday"]],
        "usual": spans(p.get("usual", [])),
    }


def _off_hours_opening(p: dict[str, Any]) -> str:
    return _(
        "%(user)s signed in at %(time)s on %(weekday)s, outside opening hours (%(opening)s); "
        "their own habits are still being learned."
    ) % {
        "user": p["user"],
        "time": p["time"],
        "weekday": WEEKDAYS[p["weekday"]],
        "opening": spans(p.get("opening", [])),
    }


def _new_country(p: dict[str, Any]) -> str:
    place = f"{p['country']} ({p['city']})" if p.get("city") else p["country"]
    return _(
        "%(user)s signed in from %(place)s for the first time; before, only from %(known)s."
    ) % {"user": p["user"], "place": place, "known": _listing(p.get("known", []))}


def _new_asn(p: dict[str, Any]) -> str:
    known = p.get("known", [])
    network = p.get("network")
    if network is None:  # alerts raised before networks were keyed by name
        network = f"AS{p['asn']} {p.get('asn_org') or ''}".strip()
        known = [f"AS{a}" for a in known]
    elif p.get("asn"):
        network = f"{network} (AS{p['asn']})"
    return _(
        "%(user)s signed in from the network %(network)s for the first time; "
        "before, only from %(known)s."
    ) % {
        "user": p["user"],
        "network": network,
        "known": _listing(known),
    }


def _new_device(p: dict[str, Any]) -> str:
    return _(
        "%(user)s signed in from the device %(device)s for the first time; "
        "known devices: %(known)s."
    ) % {"user": p["user"], "device": p["device"], "known": _listing(p.get("known", []))}


def _impossible_travel(p: dict[str, Any]) -> str:
    def place(country: str, city: str) -> str:
        return f"{city} ({country})" if city else country or "?"

    return _(
        "%(user)s signed in from %(from)s and %(minutes)s minutes later from %(to)s, "
        "%(distance)s km away: that would take %(speed)s km/h."
    ) % {
        "user": p["user"],
        "from": place(p["from_country"], p["from_city"]),
        "to": place(p["to_country"], p["to_city"]),
        "minutes": p["minutes"],
        "distance": p["distance_km"],
        "speed": p["speed_kmh"],
    }


def _brute_force_user(p: dict[str, Any]) -> str:
    if "peak" not in p:  # raised before the alert counted all its bursts
        return (
            _(
                "%(failures)s failed sign-ins for %(user)s within %(minutes)s minutes, "
                "from %(sources)s address(es)."
            )
            % p
        )
    if p["src_ip"] and p["sources"] <= 1:
        sentence = _(
            "%(failures)s failed sign-ins for %(user)s from %(src_ip)s, "
            "up to %(peak)s within %(minutes)s minutes."
        )
    elif p["src_ip"]:
        sentence = _(
            "%(failures)s failed sign-ins for %(user)s, mostly from %(src_ip)s "
            "(%(sources)s addresses in all), up to %(peak)s within %(minutes)s minutes."
        )
    elif p["sources"] >= 2:
        sentence = _(
            "%(failures)s failed sign-ins for %(user)s from %(sources)s addresses, "
            "up to %(peak)s within %(minutes)s minutes."
        )
    else:
        sentence = _(
            "%(failures)s failed sign-ins for %(user)s, up to %(peak)s within %(minutes)s minutes."
        )
    return sentence % p


def _brute_force_source(p: dict[str, Any]) -> str:
    if "peak" not in p:  # raised before the alert counted all its bursts
        return (
            _(
                "%(failures)s failed sign-ins from %(src_ip)s within %(minutes)s minutes, "
                "against %(users)s account(s)."
            )
            % p
        )
    return (
        _(
            "%(failures)s failed sign-ins from %(src_ip)s against %(users)s accounts, "
            "up to %(peak)s within %(minutes)s minutes."
        )
        % p
    )


def _new_port(p: dict[str, Any]) -> str:
    """The exposure app's new open port; the service is named in the reader's language."""
    names = p["service"] if isinstance(p["service"], dict) else {"en": p["service"]}
    service = names.get(current_language()) or names.get("en") or next(iter(names.values()), "")
    return _(
        "New open port %(port)s/%(proto)s (%(service)s) on %(address)s in the %(zone)s zone; "
        "it was not open in the previous scan of this network."
    ) % {**p, "service": service}


SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    "exposure.new_port": _new_port,
    "off_hours.habit": _off_hours_habit,
    "off_hours.opening_hours": _off_hours_opening,
    "new_country": _new_country,
    "new_asn": _new_asn,
    "new_device": _new_device,
    "impossible_travel": _impossible_travel,
    "brute_force.user": _brute_force_user,
    "brute_force.source": _brute_force_source,
    "password_spray": lambda p: (
        _(
            "%(src_ip)s tried passwords on %(users)s different accounts "
            "(%(failures)s failures): a password spray."
        )
        % p
    ),
    "spray_success": lambda p: (
        _(
            "%(src_ip)s signed in as %(user)s after trying passwords on %(sprayed_users)s "
            "accounts: that password is probably known to an attacker."
        )
        % p
    ),
    "service_account_interactive": lambda p: (
        _(
            "The service account %(user)s signed in interactively (%(logon_type)s) on %(host)s; "
            "it should only be used by software."
        )
        % p
    ),
    "clickfix": lambda p: (
        _(
            "A command typical of a ClickFix lure ran on %(host)s as %(user)s: “%(command_line)s” "
            "(rule: %(rule_title)s)."
        )
        % p
    ),
    "sigma": lambda p: (
        _("The Sigma rule “%(rule_title)s” matched on %(host)s as %(user)s: “%(command_line)s”.")
        % p
    ),
    "exfiltration.daily": lambda p: (
        _(
            "%(host)s sent %(bytes)s to %(destination)s on %(day)s; "
            "it usually sends %(usual)s a day in all."
        )
        % {**p, "bytes": human_bytes(p["bytes"]), "usual": human_bytes(p["usual_bytes"])}
    ),
    "exfiltration.slow": lambda p: (
        _(
            "%(host)s sent %(bytes)s to %(destination)s over the last %(days)s days "
            "(on %(active_days)s of them); in the same time before, it sent %(usual)s there."
        )
        % {**p, "bytes": human_bytes(p["bytes"]), "usual": human_bytes(p["usual_bytes"])}
    ),
}


# The logon types parsers write (Windows logon types, Entra, sshd), as words.
LOGON_TYPES = {
    "interactive": pgettext_lazy("logon type", "interactive"),
    "remote_interactive": pgettext_lazy("logon type", "remote interactive"),
    "cached_interactive": pgettext_lazy("logon type", "cached interactive"),
    "non_interactive": pgettext_lazy("logon type", "non-interactive"),
    "network": pgettext_lazy("logon type", "network"),
    "network_cleartext": pgettext_lazy("logon type", "network, clear-text password"),
    "batch": pgettext_lazy("logon type", "scheduled task"),
    "service": pgettext_lazy("logon type", "service"),
    "unlock": pgettext_lazy("logon type", "unlock"),
    "new_credentials": pgettext_lazy("logon type", "new credentials"),
    "explicit_credentials": pgettext_lazy("logon type", "explicit credentials"),
    "kerberos": pgettext_lazy("logon type", "Kerberos"),
    "ntlm": pgettext_lazy("logon type", "NTLM"),
}


def logon_type_label(logon_type: str) -> str:
    """'remote_interactive' -> 'remote interactive' (translated); an unknown code as it is."""
    return str(LOGON_TYPES.get(logon_type, logon_type))


def readable(params: dict[str, Any]) -> dict[str, Any]:
    """An alert's parameters as a sentence should say them: hours of several sites merged,
    logon types in words. Parameters of an older shape stay as they are."""
    shown = dict(params)
    for key in ("usual", "opening"):
        if isinstance(shown.get(key), list):
            with suppress(KeyError, TypeError, ValueError):
                shown[key] = merge_spans(shown[key])
    if isinstance(shown.get("logon_type"), str):
        shown["logon_type"] = logon_type_label(shown["logon_type"])
    return shown


def render(code: str, params: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """One sentence for an alert, in the active language.

    ``names`` maps account names to people's names ("ana" -> "Ana García"), so the sentence
    speaks of the person rather than the login.
    """
    if code == "text":
        return str(params.get("text", ""))
    sentence = SENTENCES.get(code)
    if sentence is None:
        return _("Unusual activity (%(code)s).") % {"code": code}
    params = readable(params)
    if names and params.get("user") in names:
        params = {**params, "user": names[params["user"]]}
    try:
        return sentence(params)
    except (KeyError, IndexError, TypeError, ValueError):
        # Parameters from an older version: still say what kind of thing happened.
        return _("Unusual activity (%(code)s).") % {"code": code}
