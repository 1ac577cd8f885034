"""People pages of an organisation, mounted at /o/<org_slug>/people/."""

from django.urls import path

from .views import organisation, people, sites

app_name = "people"

urlpatterns = [
    path("", people.staff_list, name="index"),
    path("import/", people.staff_import, name="staff_import"),
    path("export.csv", people.staff_export, name="staff_export"),
    path("<int:person_id>/link/", people.send_link, name="send_link"),
    path("members/", organisation.members, name="members"),
    path("audit/", organisation.audit_log, name="audit"),
    path("tokens/", organisation.api_tokens, name="api_tokens"),
    path("sites/", sites.sites, name="sites"),
    path("sites/<int:site_id>/", sites.site_sensors, name="site_sensors"),
    path("settings/", organisation.organisation_settings, name="settings"),
]
