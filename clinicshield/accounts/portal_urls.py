"""The staff portal's own pages, mounted at /portal/. Apps add theirs at /portal/<app>/."""

from django.urls import path

from .views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.portal_home, name="home"),
    path("enter/<str:token>/", portal.enter, name="enter"),
    path("expired/", portal.expired, name="expired"),
]
