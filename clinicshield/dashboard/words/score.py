"""The score's codes and figures in words, in the reader's language, and links to act on them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from ..core.document import score_document
from ..core.score import Action, Component

if TYPE_CHECKING:
    from ..queries import Scores

COMPONENT_LABELS = {
    "training": gettext_lazy("Staff training"),
    "simulations": gettext_lazy("Phishing simulations"),
    "exposure": gettext_lazy("Exposed ports and network separation"),
    "monitoring": gettext_lazy("Sign-in and log monitoring"),
    "drills": gettext_lazy("Incident drills"),
    "protocols": gettext_lazy("Incident protocols"),
}
STATUS_LABELS = {
    "good": gettext_lazy("Good"),
    "attention": gettext_lazy("Needs attention"),
    "poor": gettext_lazy("Poor"),
    "not_set_up": gettext_lazy("Not set up"),
}
SEVERITY_LABELS = {
    "critical": gettext_lazy("Critical"),
    "high": gettext_lazy("High"),
    "medium": gettext_lazy("Medium"),
    "low": gettext_lazy("Low"),
    "info": gettext_lazy("Information"),
}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)} %"


PLAIN_ACTIONS = {
    "start_training": gettext_lazy("Assign the security training to your staff"),
    "launch_campaign": gettext_lazy("Run a phishing simulation"),
    "register_networks": gettext_lazy("Register your networks and scan them"),
    "run_scan": gettext_lazy("Scan your networks again"),
    "write_segmentation_policy": gettext_lazy(
        "Write down which networks may talk to each other, and test it"
    ),
    "connect_log_source": gettext_lazy("Connect your sign-in logs (Microsoft 365, Windows, VPN)"),
    "run_drill": gettext_lazy("Run a 30-minute incident drill with your team"),
    "complete_call_tree": gettext_lazy("Complete the call tree: who to phone in an incident"),
    "add_it_contact": gettext_lazy("Add your IT support's phone number to the call tree"),
}
COUNTED_ACTIONS = {
    "train_staff": ngettext_lazy(
        "Get %(count)d person without current training trained",
        "Get %(count)d people without current training trained",
        "count",
    ),
    "chase_overdue": ngettext_lazy(
        "Remind %(count)d person whose training is overdue",
        "Remind %(count)d people whose training is overdue",
        "count",
    ),
    "close_risky_ports": ngettext_lazy(
        "Close the %(count)d high-risk open port",
        "Close the %(count)d high-risk open ports",
        "count",
    ),
    "fix_segmentation": ngettext_lazy(
        "Fix %(count)d network separation rule that is broken",
        "Fix %(count)d network separation rules that are broken",
        "count",
    ),
    "probe_segmentation": ngettext_lazy(
        "Test %(count)d network separation rule",
        "Test %(count)d network separation rules",
        "count",
    ),
    "fix_silent_sources": ngettext_lazy(
        "Fix %(count)d log source that has gone silent",
        "Fix %(count)d log sources that have gone silent",
        "count",
    ),
    "triage_alerts": ngettext_lazy(
        "Deal with %(count)d alert that has waited too long",
        "Deal with %(count)d alerts that have waited too long",
        "count",
    ),
}


def action_sentence(action: Action) -> str:
    """The action in words, in the current language."""
    p = action.params
    if action.code in PLAIN_ACTIONS:
        return str(PLAIN_ACTIONS[action.code])
    if action.code in COUNTED_ACTIONS:
        return str(COUNTED_ACTIONS[action.code] % {"count": p.get("count", 0)})
    if action.code == "close_port":
        return _("Close %(service)s (port %(port)s) on %(address)s at %(site)s") % {
            "service": p["service"],
            "port": p["port"],
            "address": p["address"],
            "site": p["site"] or "—",
        }
    if action.code == "encourage_reporting":
        return _("Teach staff to report suspicious email (report rate %(report)s)") % {
            "report": percent(p.get("report_rate"))
        }
    return action.code


# URL arguments an action's target page needs, taken from the action's parameters.
TARGET_ARGUMENTS = {"exposure:host": ("address",)}


def action_link(action: Action, org_slug: str) -> str:
    """Where the action is done; the app's front page when the exact page does not exist."""
    arguments = {name: action.params.get(name) for name in TARGET_ARGUMENTS.get(action.target, ())}
    for name, kwargs in (
        (action.target, {"org_slug": org_slug, **arguments}),
        (action.target.split(":")[0] + ":index", {"org_slug": org_slug}),
    ):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return reverse("dashboard:index", kwargs={"org_slug": org_slug})


def action_row(action: Action, org_slug: str) -> dict[str, Any]:
    return {
        "text": action_sentence(action),
        "points": action.points,
        "up_to": action.up_to,
        "url": action_link(action, org_slug),
        "code": action.code,
    }


def evidence_sentence(component: Component) -> str:
    e = component.evidence
    if component.status == "not_set_up":
        return str(_("Not set up: this part of your protection is not measured yet."))
    sentences = {
        "training": lambda: (
            _(
                "%(trained)d of %(staff)d staff have current training; %(overdue)d have overdue "
                "training."
            )
            % {"trained": e["trained"], "staff": e["staff"], "overdue": e["overdue_people"]}
        ),
        "simulations": lambda: (
            _(
                "Last %(days)d days: %(sent)d emails, %(failed)s fell for them, %(reported)s "
                "reported them; last campaign %(ago)d days ago."
            )
            % {
                "days": 180,
                "sent": e["sent"],
                "failed": percent(e["failure_rate"]),
                "reported": percent(e["report_rate"]),
                "ago": e["days_since_last_campaign"],
            }
        ),
        "exposure": lambda: _exposure_sentence(e),
        "monitoring": lambda: (
            _(
                "%(reporting)d of %(sources)d log sources reported in the last 24 hours; "
                "%(open)d open alerts, %(stale)d waiting too long."
            )
            % {
                "reporting": e["reporting"],
                "sources": e["sources"],
                "open": e["open_alerts"],
                "stale": e["stale_alerts"],
            }
        ),
        "drills": lambda: _("Last drill %(days)d days ago.") % {"days": e["days_since_last_drill"]},
        "protocols": lambda: (
            _("%(contacts)d people in the call tree; IT contact: %(it)s.")
            % {
                "contacts": e["call_tree_contacts"],
                "it": _("yes") if e["has_it_contact"] else _("no"),
            }
        ),
    }
    return str(sentences[component.key]())


def _exposure_sentence(e: dict[str, Any]) -> str:
    if e["days_since_last_scan"] is None:
        scan = _("Networks registered but never scanned.")
    else:
        scan = ngettext(
            "%(ports)d high-risk open port (%(critical)d critical); "
            "oldest network scan %(days)d days ago.",
            "%(ports)d high-risk open ports (%(critical)d critical); "
            "oldest network scan %(days)d days ago.",
            e["risky_ports"],
        ) % {
            "ports": e["risky_ports"],
            "critical": e["critical_ports"],
            "days": e["days_since_last_scan"],
        }
    if e["segmentation_rules"] is None:
        segmentation = _("No network separation policy.")
    else:
        segmentation = _(
            "Separation: %(violated)d of %(rules)d rules broken, %(untested)d untested."
        ) % {
            "violated": e["segmentation_violated"],
            "rules": e["segmentation_rules"],
            "untested": e["segmentation_untested"],
        }
    return f"{scan} {segmentation}"


def summary_sentence(total: int) -> str:
    """The monthly report's opening line for the total."""
    if total >= 80:
        return _(
            "Your clinic is well protected. Keep the routine going: training, simulations and "
            "a drill every six months."
        )
    if total >= 50:
        return _(
            "Your clinic has the basics in place, with some gaps. The actions below close the "
            "largest ones first."
        )
    return _(
        "Important protections are missing. Each action below is a concrete step, and the "
        "first ones are worth the most."
    )


def component_row(component: Component) -> dict[str, Any]:
    return {
        "key": component.key,
        "label": COMPONENT_LABELS[component.key],
        "points": component.points,
        "weight": component.weight,
        "status": component.status,
        "status_label": STATUS_LABELS[component.status],
        "evidence": evidence_sentence(component),
        "percent": round(100 * component.points / component.weight),
    }


def score_report(org_slug: str, now: datetime, scores: Scores) -> dict[str, Any]:
    """The score as the API and the score command give it: total, components, actions, sites."""
    names = dict(scores.measurement.sites)
    return {
        "organisation": org_slug,
        "measured_at": now.isoformat(),
        **score_document(scores.org),
        "next_actions": [
            {"code": a.code, "points": a.points, "up_to": a.up_to, "text": action_sentence(a)}
            for a in scores.org.next_actions()
        ],
        "sites": [
            {
                "site": names[site_id],
                "total": score.total,
                "components": {c.key: c.points for c in score.components},
            }
            for site_id, score in scores.sites
        ],
    }
