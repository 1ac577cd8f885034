"""Pages of the training app, mounted at /o/<org_slug>/training/."""

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("people/", views.people, name="people"),
    path("assign/", views.assign, name="assign"),
    path("m/<slug:key>/", views.module_detail, name="module"),
    path("m/<slug:key>/pass-mark/", views.set_pass_mark, name="pass_mark"),
    path("m/<slug:key>/enabled/", views.set_enabled, name="enabled"),
    path("custom/new/", views.custom_edit, name="custom_new"),
    path("custom/preview/", views.custom_preview, name="custom_preview"),
    path("custom/<slug:key>/", views.custom_edit, name="custom_edit"),
    path("evidence.csv", views.evidence_csv_view, name="evidence_csv"),
    path("evidence.pdf", views.evidence_pdf_view, name="evidence_pdf"),
]
