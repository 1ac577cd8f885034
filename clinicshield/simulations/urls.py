"""Pages of the simulations app, mounted at /o/<org_slug>/simulations/."""

from django.urls import path

from . import views

app_name = "simulations"

urlpatterns = [
    path("", views.index, name="index"),
]
