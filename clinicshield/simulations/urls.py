"""Pages of the simulations app, mounted at /o/<org_slug>/simulations/."""

from django.urls import path

from .views import campaigns, reports, results, templates

app_name = "simulations"

urlpatterns = [
    path("", campaigns.index, name="index"),
    path("new/", campaigns.campaign_new, name="new"),
    path("campaigns/<int:campaign_id>/", results.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/launch/", campaigns.campaign_launch, name="launch"),
    path("templates/", templates.teaching, name="teaching"),
    path("templates/new/", templates.template_new, name="template_new"),
    path("templates/<slug:key>/", templates.template_preview, name="template"),
    path("templates/<slug:key>/landing/", templates.landing_preview, name="landing"),
    path("trend/", results.trend, name="trend"),
    path("triage/", reports.triage, name="triage"),
    path("triage/<int:item_id>/", reports.triage_decide, name="triage_decide"),
]
