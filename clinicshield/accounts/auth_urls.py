"""Login, second factor, MFA enrolment and owner setup links, mounted at /accounts/."""

from django.urls import path

from . import auth_views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.login_view, name="login"),
    path("verify/", auth_views.verify_view, name="verify"),
    path("mfa/", auth_views.mfa_view, name="mfa"),
    path("mfa/recovery-codes/", auth_views.recovery_codes_view, name="recovery_codes"),
    path("logout/", auth_views.logout_view, name="logout"),
    path("setup/<str:token>/", auth_views.setup_link_view, name="setup_link"),
]
