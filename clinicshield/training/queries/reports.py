"""What the manager pages, the CLI and the evidence export show, built once from the rows."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from clinicshield.accounts.models import Organisation

from ..core.content import Module
from ..core.progress import (
    EVIDENCE_MAPPING,
    StatusRow,
    figures_by,
    fresh_of,
    most_missed,
    overdue_rows,
    state_of,
)
from .catalogue import catalogue, language_for, policy_for
from .status import missed_by_attempt, status_rows


def _title(modules: dict[str, Module], key: str, lang: str) -> str:
    module = modules.get(key)
    return module.title(language_for(module, lang)) if module else key


def status_records(org: Organisation, now: datetime, lang: str = "en") -> list[dict[str, Any]]:
    """Per person and module: the CLI's `training status` and the CSV export."""
    modules = catalogue(org)
    policy = policy_for(org)
    return [
        {
            "person": r.person_name,
            "email": r.email,
            "site": r.site,
            "department": r.department,
            "module": r.module_key,
            "title": _title(modules, r.module_key, lang),
            "reason": r.reason,
            "assigned": r.assigned_at.isoformat(),
            "due": r.due_at.isoformat(),
            "state": state_of(r, now),
            "completed_at": r.completed_at.isoformat() if r.completed_at else None,
            "score": r.score,
            "freshness": fresh_of(r, now, policy),
        }
        for r in status_rows(org)
    ]


def overview(org: Organisation, now: datetime, lang: str) -> dict[str, Any]:
    modules = catalogue(org)
    policy = policy_for(org)
    rows = status_rows(org)
    missed = most_missed(missed_by_attempt(org))
    questions = []
    for item in missed:
        module = modules.get(item.module_key)
        question = None
        if module is not None:
            question = module.quizzes[language_for(module, lang)].question(item.question_id)
        questions.append({"item": item, "text": question.text if question else item.question_id})
    return {
        "rows": rows,
        "modules": modules,
        "policy": policy,
        "by_site": figures_by(rows, lambda r: r.site or "—", now, policy),
        "by_department": figures_by(rows, lambda r: r.department, now, policy),
        "by_person": figures_by(rows, lambda r: f"{r.person_name} <{r.email}>", now, policy),
        "overall": figures_by(rows, lambda r: "all", now, policy),
        "overdue": [
            {"row": r, "title": _title(modules, r.module_key, lang), "days": (now - r.due_at).days}
            for r in overdue_rows(rows, now)
        ],
        "missed": questions,
        "now": now,
    }


CSV_COLUMNS = [
    "person",
    "email",
    "site",
    "department",
    "module",
    "title",
    "reason",
    "assigned",
    "due",
    "state",
    "completed_at",
    "score",
    "freshness",
    "requirements",
]


def evidence_csv(org: Organisation, now: datetime) -> str:
    """Training evidence, one row per person and module; `requirements` names what it shows."""
    requirements = "; ".join(reference for _code, reference in EVIDENCE_MAPPING)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in status_records(org, now):
        writer.writerow({**record, "requirements": requirements})
    return out.getvalue()


def person_matrix(rows: list[StatusRow], now: datetime) -> list[dict[str, Any]]:
    """One line per person with their state in each module, for the people page."""
    people: dict[int, dict[str, Any]] = {}
    for r in rows:
        line = people.setdefault(
            r.person_id,
            {"name": r.person_name, "email": r.email, "site": r.site, "department": r.department,
             "cells": {}},
        )  # fmt: skip
        line["cells"][r.module_key] = {"state": state_of(r, now), "row": r}
    return sorted(people.values(), key=lambda line: line["name"])
