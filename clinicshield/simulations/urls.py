"""Pages of the simulations app, mounted at /o/<org_slug>/simulations/."""

from django.urls import path

from . import views

app_name = "simulations"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.campaign_new, name="new"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/launch/", views.campaign_launch, name="launch"),
    path("templates/", views.teaching, name="teaching"),
    path("templates/new/", views.template_new, name="template_new"),
    path("templates/<slug:key>/", views.template_preview, name="template"),
    path("templates/<slug:key>/landing/", views.landing_preview, name="landing"),
    path("trend/", views.trend, name="trend"),
    path("triage/", views.triage, name="triage"),
    path("triage/<int:item_id>/", views.triage_decide, name="triage_decide"),
]
