"""Login, second factor, MFA enrolment and owner setup links, mounted at /accounts/."""

from django.urls import path

from .views import auth

app_name = "accounts"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("verify/", auth.verify_view, name="verify"),
    path("mfa/", auth.mfa_view, name="mfa"),
    path("mfa/recovery-codes/", auth.recovery_codes_view, name="recovery_codes"),
    path("logout/", auth.logout_view, name="logout"),
    path("setup/<str:token>/", auth.setup_link_view, name="setup_link"),
]
