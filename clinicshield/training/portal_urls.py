"""The staff portal's training pages, mounted at /portal/training/ (magic-link session)."""

from django.urls import path

from . import portal_views

app_name = "training_portal"

urlpatterns = [
    path("", portal_views.index, name="index"),
    path("m/<slug:key>/", portal_views.lesson, name="lesson"),
    path("m/<slug:key>/quiz/", portal_views.quiz, name="quiz"),
    path("m/<slug:key>/certificate.pdf", portal_views.certificate, name="certificate"),
]
