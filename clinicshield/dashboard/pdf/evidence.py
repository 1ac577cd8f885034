"""The compliance evidence pack: a ZIP with a PDF and CSV files mapping what ClinicShield does
to HIPAA, GDPR art. 32 and the HHS 405(d) HICP practices, with what is covered and missing."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from clinicshield.accounts.models import Organisation
from clinicshield.lib.pdf import html_to_pdf

from ..core.compliance import (
    COVERED,
    MISSING,
    PARTIAL,
    RequirementStatus,
    activity_status,
    assess,
)
from ..core.score import Score
from ..models import MonthlyReport, ScoreSnapshot
from ..queries import compute_scores, local_day
from ..words import (
    ACTIVITY_LABELS,
    ASKS,
    FRAMEWORK_LABELS,
    STATUS_WORDS,
    evidence_sentence,
    gap_sentence,
    reference_label,
    reports_evidence,
)


def reports_status(org: Organisation, now: datetime) -> tuple[str, int]:
    """Governance evidence: days of score history kept over the last 90 days."""
    since = local_day(org, now) - timedelta(days=90)
    days = ScoreSnapshot.objects.filter(organisation=org, site__isnull=True, day__gt=since).count()
    return (COVERED if days >= 60 else PARTIAL if days else MISSING), days


def requirement_rows(org: Organisation, score: Score, now: datetime) -> list[dict[str, Any]]:
    states = {c.key: activity_status(c.status, c.points, c.weight) for c in score.components}
    states["reports"], days = reports_status(org, now)
    evidence = {c.key: evidence_sentence(c) for c in score.components}
    evidence["reports"] = reports_evidence(days)
    return [_row(status, states, evidence) for status in assess(states)]


def _row(status: RequirementStatus, states: dict[str, str], evidence: dict[str, str]) -> dict:
    requirement = status.requirement
    return {
        "framework": str(FRAMEWORK_LABELS.get(requirement.framework, requirement.framework)),
        "reference": reference_label(requirement.reference),
        "asks": str(ASKS[requirement.code]),
        "status": status.status,
        "status_label": str(STATUS_WORDS[status.status]),
        "activities": [
            {
                "label": str(ACTIVITY_LABELS[a]),
                "status": state,
                "status_label": str(STATUS_WORDS[state]),
                "evidence": evidence[a],
            }
            for a, state in status.activities
        ],
        "missing": [gap_sentence(code, states) for code in status.gaps],
    }


def _csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def compliance_csv(rows: list[dict[str, Any]]) -> str:
    lines: list[list[Any]] = [
        ["framework", "reference", "requirement", "status", "activity", "activity_status",
         "evidence", "missing"]
    ]  # fmt: skip
    for row in rows:
        for activity in row["activities"]:
            lines.append(
                [row["framework"], row["reference"], row["asks"], row["status"],
                 activity["label"], activity["status"], activity["evidence"],
                 " | ".join(row["missing"])]
            )  # fmt: skip
    return _csv(lines)


def history_csv(org: Organisation) -> str:
    lines: list[list[Any]] = [["day", "total", "training", "simulations", "exposure",
                               "monitoring", "drills", "protocols"]]  # fmt: skip
    snapshots = ScoreSnapshot.objects.filter(organisation=org, site__isnull=True).order_by("day")
    for s in snapshots.values_list("day", "total", "points"):
        day, total, points = s
        lines.append([day.isoformat(), total, *(points.get(k, "") for k in lines[0][2:])])
    return _csv(lines)


def reports_csv(org: Organisation) -> str:
    """The monthly reports sent: when, and to whom (governance evidence)."""
    lines: list[list[Any]] = [["month", "sent_at", "recipients"]]
    for month, sent_at, recipients in (
        MonthlyReport.objects.filter(organisation=org)
        .order_by("month")
        .values_list("month", "sent_at", "recipients")
    ):
        lines.append([month, sent_at.isoformat(), " ".join(recipients)])
    return _csv(lines)


def evidence_pack(org: Organisation, now: datetime, lang: str) -> bytes:
    """evidence.pdf, compliance.csv, score-history.csv and reports-sent.csv, zipped."""
    with translation.override(lang):
        score = compute_scores(org, now).org
        rows = requirement_rows(org, score, now)
        html = render_to_string(
            "dashboard/evidence.html",
            {"org": org, "rows": rows, "score": score, "generated_at": now, "lang": lang},
        )
        compliance = compliance_csv(rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        pack.writestr("evidence.pdf", html_to_pdf(html))
        pack.writestr("compliance.csv", compliance)
        pack.writestr("score-history.csv", history_csv(org))
        pack.writestr("reports-sent.csv", reports_csv(org))
    return buffer.getvalue()
