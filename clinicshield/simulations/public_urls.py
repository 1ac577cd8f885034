"""Public tracking endpoints, mounted at the site root: /t/<token>... and /s/<token>.

They take no login: the unguessable token is the only key, and an unknown token
gets the same plain 404 as any missing page.
"""

from django.urls import path

from .views import public

urlpatterns = [
    path("t/<str:token>", public.click, name="click"),
    path("t/<str:token>/px.gif", public.open_pixel, name="open"),
    path("t/<str:token>/h", public.human, name="human"),
    path("t/<str:token>/submit", public.submit, name="submit"),
    path("t/<str:token>/copy", public.copy, name="copy"),
    path("t/<str:token>/lesson", public.lesson_page, name="lesson"),
    path("s/<str:token>", public.executed, name="executed"),
]
