"""The readiness page of the staff portal: "I clicked something / report a problem"."""

from django.urls import path

from .views import public

urlpatterns = [
    path("", public.portal_report, name="index"),
]
