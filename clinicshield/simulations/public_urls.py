"""Public tracking endpoints, mounted at the site root: /t/<token>... and /s/<token>.

They take no login: the unguessable token is the only key, and an unknown token
gets the same plain 404 as any missing page.
"""

from django.urls import path

from . import public_views

urlpatterns = [
    path("t/<str:token>", public_views.click, name="click"),
    path("t/<str:token>/px.gif", public_views.open_pixel, name="open"),
    path("t/<str:token>/h", public_views.human, name="human"),
    path("t/<str:token>/submit", public_views.submit, name="submit"),
    path("t/<str:token>/copy", public_views.copy, name="copy"),
    path("t/<str:token>/lesson", public_views.lesson_page, name="lesson"),
    path("s/<str:token>", public_views.executed, name="executed"),
]
