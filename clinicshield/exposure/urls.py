"""Pages of the exposure app, mounted at /o/<org_slug>/exposure/."""

from django.urls import path

from . import views

app_name = "exposure"

urlpatterns = [
    path("", views.index, name="index"),
]
