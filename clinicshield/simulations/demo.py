"""Demo data: two past campaigns with results, and one reported email waiting for triage.

Deterministic (a seeded random generator), so the demo looks the same on every install.
The recipients' outcomes are written directly: this is history, not a live campaign.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from clinicshield.accounts.models import Organisation

from .actions import do_create_campaign
from .actions.reports import do_handle_report
from .core.analyser import OrgContext
from .core.status import LADDERS
from .models import Campaign, Recipient, TrackingEvent

# (template, days ago, share reaching each stage after "sent", share reporting)
PAST_CAMPAIGNS = [
    ("supplier-invoice", 95, {"opened": 0.7, "clicked": 0.32, "submitted": 0.12}, 0.16),
    ("booking-captcha", 30, {"opened": 0.75, "clicked": 0.2, "copied": 0.1, "executed": 0.05}, 0.4),
]

SUSPICIOUS_REPORT = b"""From: Ana Garcia <ana.garcia@santa-ana.example>
To: avisos@santa-ana.example
Subject: Fwd: Actualizacion obligatoria de la receta electronica
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Me ha llegado esto, no me fio.

--b1
Content-Type: message/rfc822

Authentication-Results: mx.santa-ana.example; spf=fail smtp.mailfrom=receta-sanidad.example;
 dkim=none; dmarc=fail header.from=receta-sanidad.example
From: Receta Electronica <soporte@receta-sanidad.example>
To: ana.garcia@santa-ana.example
Subject: Actualizacion obligatoria de la receta electronica
Content-Type: text/html; charset=utf-8

<p>Para verificar que es humano pulse la tecla Windows + R, luego Ctrl + V e Intro.</p>
<p><a href="http://198.51.100.23/fix">https://www.santa-ana.example/receta</a></p>
--b1--
"""


def seed(org: Organisation, now: datetime) -> str:
    rng = random.Random(4821)  # noqa: S311 - demo data, not security
    for template_key, days_ago, stages, report_share in PAST_CAMPAIGNS:
        campaign = do_create_campaign(
            org,
            name=f"{_template_name(template_key)} ({(now - timedelta(days=days_ago)):%m/%Y})",
            template_key=template_key,
            targets="all",
            smtp_host="127.0.0.1",
            smtp_port=25,
            from_address="avisos@sim-santa-ana.example",
            base_url="https://drills.santa-ana.example",
            actor="demo",
        )
        _play_out(campaign, now - timedelta(days=days_ago), stages, report_share, rng)
    context = OrgContext(own_domains=["santa-ana.example"], names=[org.name])
    do_handle_report(org, "demo:1", SUSPICIOUS_REPORT, now - timedelta(hours=3), context)
    return f"{len(PAST_CAMPAIGNS)} past campaigns, 1 reported email to triage"


def _template_name(key: str) -> str:
    from .core.library import template_from_dict
    from .queries import library

    return template_from_dict(library()[key], key).version("es").name


def _play_out(
    campaign: Campaign,
    sent_at: datetime,
    stages: dict[str, float],
    report_share: float,
    rng: random.Random,
) -> None:
    ladder = LADDERS[campaign.kind]
    events = []
    recipients = list(campaign.recipients.all())
    for recipient in recipients:
        recipient.send_state = "sent"
        recipient.send_at = recipient.sent_at = sent_at
        recipient.status = "sent"
        moment = sent_at
        for stage in ladder[2:]:
            if rng.random() >= stages.get(stage, 0) / _previous_share(stages, stage, ladder):
                break
            moment += timedelta(minutes=rng.randint(2, 240))
            recipient.status = stage
            setattr(recipient, f"{stage}_at", moment)
            events.append(TrackingEvent(recipient=recipient, event=stage, at=moment))
        if rng.random() < report_share:
            recipient.reported_at = sent_at + timedelta(minutes=rng.randint(3, 600))
            events.append(
                TrackingEvent(recipient=recipient, event="reported", at=recipient.reported_at)
            )
    Recipient.objects.bulk_update(
        recipients,
        [
            "send_state",
            "send_at",
            "sent_at",
            "status",
            "reported_at",
            "opened_at",
            "clicked_at",
            "submitted_at",
            "copied_at",
            "executed_at",
        ],
    )
    TrackingEvent.objects.bulk_create(events)
    campaign.state = "finished"
    campaign.launched_at = sent_at
    campaign.finished_at = sent_at + timedelta(hours=2)
    campaign.save(update_fields=["state", "launched_at", "finished_at"])


def _previous_share(stages: dict[str, float], stage: str, ladder: tuple[str, ...]) -> float:
    # Shares are of all recipients; each step is conditional on reaching the one before.
    index = ladder.index(stage)
    return stages.get(ladder[index - 1], 1.0) if index > 2 else 1.0
