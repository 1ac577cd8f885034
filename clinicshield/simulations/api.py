"""REST endpoints of the simulations app, mounted at /api/simulations/."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from clinicshield.lib.api import api_org

from . import queries
from .actions import do_fold_hits

router = Router(tags=["simulations"])


class TemplateOut(Schema):
    key: str
    name: str
    language: str
    kind: str
    landing: str
    difficulty: str


class CampaignOut(Schema):
    id: int
    name: str
    template: str
    kind: str
    state: str
    created_at: datetime
    launched_at: datetime | None


class ReportOut(Schema):
    id: int
    subject: str
    from_address: str
    reporter_email: str
    verdict: str
    triage_state: str
    received_at: datetime
    analysis: dict[str, Any]


@router.get("/templates", response=list[TemplateOut])
def list_templates(request: HttpRequest) -> list[TemplateOut]:
    return [TemplateOut(**row) for row in queries.template_rows()]


@router.get("/campaigns", response=list[CampaignOut])
def list_campaigns(request: HttpRequest) -> list[CampaignOut]:
    return [
        CampaignOut(
            id=c.pk,
            name=c.name,
            template=c.template_key,
            kind=c.kind,
            state=c.state,
            created_at=c.created_at,
            launched_at=c.launched_at,
        )
        for c in queries.campaigns_of(api_org(request))
    ]


@router.get("/campaigns/{campaign_id}/results")
def campaign_results(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = get_object_or_404(queries.campaigns_of(api_org(request)), pk=campaign_id)
    do_fold_hits()  # every hit answered so far counts
    return queries.results_document(campaign)


@router.get("/reports", response=list[ReportOut])
def list_reports(request: HttpRequest, triage_state: str = "open") -> list[ReportOut]:
    items = queries.triage_items(api_org(request), triage_state)[:500]
    return [
        ReportOut(
            id=i.pk,
            subject=i.subject,
            from_address=i.from_address,
            reporter_email=i.reporter_email,
            verdict=i.verdict,
            triage_state=i.triage_state,
            received_at=i.received_at,
            analysis=i.analysis,
        )
        for i in items
    ]
