"""People pages of an organisation, mounted at /o/<org_slug>/people/."""

from django.urls import path

from . import site_views, views

app_name = "people"

urlpatterns = [
    path("", views.staff_list, name="index"),
    path("import/", views.staff_import, name="staff_import"),
    path("export.csv", views.staff_export, name="staff_export"),
    path("<int:person_id>/link/", views.send_link, name="send_link"),
    path("members/", views.members, name="members"),
    path("audit/", views.audit_log, name="audit"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("sites/", views.sites, name="sites"),
    path("sites/<int:site_id>/", site_views.site_sensors, name="site_sensors"),
    path("settings/", views.organisation_settings, name="settings"),
]
