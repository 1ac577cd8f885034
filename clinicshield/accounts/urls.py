"""Pages of the accounts app, mounted at /o/<org_slug>/accounts/."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.index, name="index"),
]
