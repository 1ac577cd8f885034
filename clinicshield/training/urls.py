"""Pages of the training app, mounted at /o/<org_slug>/training/."""

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
]
