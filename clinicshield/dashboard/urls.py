"""Pages of the dashboard app, mounted at /o/<org_slug>/dashboard/."""

from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("report.pdf", views.report_pdf, name="report"),
    path("evidence.zip", views.evidence_zip, name="evidence"),
]
