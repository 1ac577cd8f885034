"""Public pages of the readiness app: reached by unguessable tokens, no account needed."""

from django.urls import path

from .views import public

urlpatterns = [
    path("report/<str:token>/", public.poster_report, name="report"),
    path("drill/<str:token>/", public.drill_participant, name="drill"),
    path("drill/<str:token>/current/", public.drill_current, name="drill_current"),
    path("drill/<str:token>/answer/", public.drill_answer, name="drill_answer"),
]
