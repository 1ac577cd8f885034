"""Pages of the monitoring app, mounted at /o/<org_slug>/monitoring/."""

from django.urls import path

from .views import alerts, events, overview, people, sources

app_name = "monitoring"

urlpatterns = [
    path("", overview.index, name="index"),
    path("sources/", sources.sources, name="sources"),
    path("events/", events.events, name="events"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", alerts.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/<str:action>/", alerts.alert_triage, name="triage"),
    path("people/<str:account>/", people.person_profile, name="person"),
    path(
        "people/<str:account>/service-account/",
        people.service_account_toggle,
        name="service_account",
    ),
]
