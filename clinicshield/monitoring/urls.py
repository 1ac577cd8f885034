"""Pages of the monitoring app, mounted at /o/<org_slug>/monitoring/."""

from django.urls import path

from . import alert_views, source_views, views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("sources/", source_views.sources, name="sources"),
    path("events/", source_views.events, name="events"),
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", alert_views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/<str:action>/", alert_views.alert_triage, name="triage"),
    path("people/<str:account>/", alert_views.person_profile, name="person"),
    path(
        "people/<str:account>/service-account/",
        alert_views.service_account_toggle,
        name="service_account",
    ),
]
