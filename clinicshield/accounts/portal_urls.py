"""The staff portal's own pages, mounted at /portal/. Apps add theirs at /portal/<app>/."""

from django.urls import path

from . import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.portal_home, name="home"),
    path("enter/<str:token>/", portal_views.enter, name="enter"),
    path("expired/", portal_views.expired, name="expired"),
]
