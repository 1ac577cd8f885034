"""Administrators' way in: password, then a TOTP code (mandatory for owners and IT)."""

import base64
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicshield.lib.client_address import client_address
from clinicshield.lib.errors import UserError
from clinicshield.lib.qr import qr_data_url

from .. import actions, queries, words
from ..core.signin import throttle_address
from ..forms import CodeForm, EnrolmentCodeForm, LoginForm, PasswordForm

PENDING = "pending_user"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _client_ip(request: HttpRequest) -> str | None:
    """The address failed sign-ins are counted against (per account and address)."""
    client = client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        settings.PROXY_HOPS,
    )
    return throttle_address(client)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or request.session.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return str(target)
    return "/"


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if queries.is_locked_out(email, _client_ip(request)):
            form.add_error(None, words.locked_out())
        elif queries.is_account_ceiling_reached(email, _client_ip(request)):
            form.add_error(None, words.account_ceiling_reached())
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                actions.do_record_login_failure(email, _client_ip(request))
                form.add_error(None, _("Wrong email or password."))
            elif queries.has_mfa(user):
                request.session[PENDING] = user.pk
                request.session["next"] = _next_url(request)
                return redirect("accounts:verify")
            else:
                actions.do_record_sign_in(email, _client_ip(request), timezone.now())
                login(request, user, backend=BACKEND)
                return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


def verify_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    user = get_user_model().objects.filter(pk=pending).first() if pending else None
    if user is None:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if queries.is_locked_out(user.username, _client_ip(request)):
            request.session.pop(PENDING, None)
            messages.error(request, words.locked_out())
            return redirect("accounts:login")
        device = match_token(user, form.cleaned_data["code"].replace(" ", ""))
        if device is None:
            actions.do_record_login_failure(user.username, _client_ip(request))
            form.add_error("code", _("That code is not right."))
        else:
            target = _next_url(request)
            actions.do_record_sign_in(user.username, _client_ip(request), timezone.now())
            login(request, user, backend=BACKEND)
            otp_login(request, device)
            return redirect(target)
    return render(request, "accounts/verify.html", {"form": form})


@login_required
def mfa_view(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, type one code, keep the recovery codes."""
    user: Any = request.user
    if queries.has_mfa(user) and not user.is_verified():
        # Enrolled already: re-enrolling needs the current second factor first.
        logout(request)
        return redirect("accounts:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = actions.do_start_totp_enrolment(user)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = actions.do_confirm_totp(user, device, form.cleaned_data["code"].replace(" ", ""))
        if codes is not None:
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error("code", _("That code is not right. Check the time on your phone."))
        device = actions.do_start_totp_enrolment(user)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/mfa.html",
        {"form": form, "qr": qr_data_url(device.config_url), "secret": secret},
    )


@login_required
@require_POST
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_verified():
        return redirect("accounts:mfa")
    codes = actions.do_new_recovery_codes(user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def setup_link_view(request: HttpRequest, token: str) -> HttpResponse:
    """An owner's one-time setup link: GET shows a button (so mail scanners spend nothing)."""
    if request.method == "GET" and "setup_user" not in request.session:
        return render(request, "accounts/setup_link.html", {})
    if "setup_user" not in request.session:
        try:
            link = actions.do_use_magic_link(token, "setup")
        except UserError as error:
            return render(
                request, "accounts/link_error.html", {"error": error}, status=error.status
            )
        request.session.cycle_key()
        request.session["setup_user"] = link.user_id
    user = get_user_model().objects.get(pk=request.session["setup_user"])
    if not user.has_usable_password():
        form = PasswordForm(request.POST if "password" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                actions.do_set_password(user, form.cleaned_data["password"])
            except UserError as error:
                form.add_error("password", str(error.message))
        if not user.has_usable_password():
            return render(request, "accounts/set_password.html", {"form": form})
    request.session.pop("setup_user")
    login(request, user, backend=BACKEND)
    return redirect("accounts:mfa")
