import re
from typing import Any

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicshield.accounts.models import AuditEntry, Organisation
from tests.conftest import PASSWORD, current_code, log_in, make_user


def test_alice_needs_her_totp_code_after_the_password(alice: Any, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries; this test retries at once
    client = Client()
    response = client.post("/accounts/login/", {"email": alice.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/verify/"
    assert client.get("/o/clinic-a/people/").status_code == 302  # not logged in yet
    response = client.post("/accounts/verify/", {"code": "000000"})
    assert "That code is not right" in response.content.decode()
    response = client.post("/accounts/verify/", {"code": current_code(alice)})
    assert response.status_code == 302
    assert client.get("/o/clinic-a/people/").status_code == 200


def test_a_recovery_code_works_once(alice: Any, settings: Any) -> None:
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # this test retries at once after a failure
    from clinicshield.accounts.actions import do_new_recovery_codes

    codes = do_new_recovery_codes(alice)
    assert len(set(codes)) == 10
    assert AuditEntry.objects.filter(user=alice, action="mfa.recovery_codes").count() == 1
    first = Client()
    first.post("/accounts/login/", {"email": alice.email, "password": PASSWORD})
    assert first.post("/accounts/verify/", {"code": codes[0]}).status_code == 302
    second = Client()
    second.post("/accounts/login/", {"email": alice.email, "password": PASSWORD})
    assert second.post("/accounts/verify/", {"code": codes[0]}).status_code == 200
    # Read back whatever the case, spaces or dashes typed.
    typed = codes[1].replace("-", " ").upper()
    assert second.post("/accounts/verify/", {"code": typed}).status_code == 302


def test_recovery_codes_are_kept_only_as_hashes(alice: Any, settings: Any) -> None:
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    from django.core import serializers

    from clinicshield.accounts.actions import do_new_recovery_codes
    from clinicshield.accounts.models import RecoveryCodes

    codes = do_new_recovery_codes(alice)
    assert all(len(code.replace("-", "")) == 16 for code in codes)  # 80 random bits each
    stored = serializers.serialize("json", RecoveryCodes.objects.all())
    assert len(RecoveryCodes.objects.get(user=alice).code_hashes) == 10
    assert not [c for c in codes if c in stored or c.replace("-", "") in stored]
    renewed = do_new_recovery_codes(alice)  # the old ones stop working
    client = Client()
    client.post("/accounts/login/", {"email": alice.email, "password": PASSWORD})
    assert client.post("/accounts/verify/", {"code": codes[2]}).status_code == 200
    assert client.post("/accounts/verify/", {"code": renewed[2]}).status_code == 302


def test_an_owner_without_mfa_is_sent_to_enrol_before_seeing_anything(
    org_a: Organisation,
) -> None:
    make_user(org_a, "olga@a.example", "owner", with_totp=False)
    client = Client()
    client.post("/accounts/login/", {"email": "olga@a.example", "password": PASSWORD})
    response = client.get("/o/clinic-a/people/")
    assert response.status_code == 302 and response["Location"] == "/accounts/mfa/"


def test_enrolment_confirms_the_device_and_shows_recovery_codes(org_a: Organisation) -> None:
    from django_otp.oath import totp

    user = make_user(org_a, "olga@a.example", "it", with_totp=False)
    client = Client()
    client.post("/accounts/login/", {"email": "olga@a.example", "password": PASSWORD})
    page = client.get("/accounts/mfa/")
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    response = client.post("/accounts/mfa/", {"code": code})
    assert 'data-testid="recovery-codes"' in response.content.decode()
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/o/clinic-a/people/").status_code == 200


def _code_input(page: str) -> str:
    found = re.search(r'<input[^>]*name="code"[^>]*>', page)
    assert found, "no code field on the page"
    return found.group(0)


def test_the_sign_in_code_field_lets_a_phone_type_a_recovery_code(alice: Any) -> None:
    # A number pad (inputmode=numeric) cannot type the letters of a recovery code.
    client = Client()
    client.post("/accounts/login/", {"email": alice.email, "password": PASSWORD})
    field = _code_input(client.get("/accounts/verify/").content.decode())
    assert 'autocomplete="one-time-code"' in field
    assert "inputmode" not in field
    assert 'autocapitalize="none"' in field


def test_enrolment_asks_for_the_app_code_on_a_number_pad(org_a: Organisation) -> None:
    make_user(org_a, "olga@a.example", "it", with_totp=False)
    client = Client()
    client.post("/accounts/login/", {"email": "olga@a.example", "password": PASSWORD})
    page = client.get("/accounts/mfa/").content.decode()
    assert 'inputmode="numeric"' in _code_input(page)
    assert "recovery code" not in page.split('name="code"')[0].rsplit("<label", 1)[-1]


def test_a_viewer_may_work_without_mfa(client_bob: Client) -> None:
    assert client_bob.get("/o/clinic-a/people/").status_code == 200


def test_it_locks_an_account_after_repeated_failures(alice: Any, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        response = client.post("/accounts/login/", {"email": alice.email, "password": "wrong"})
        assert "Wrong email or password" in response.content.decode()
    response = client.post("/accounts/login/", {"email": alice.email, "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()
    assert response.status_code == 200


def test_wrong_totp_codes_count_towards_the_lockout(alice: Any, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 2
    client = Client()
    client.post("/accounts/login/", {"email": alice.email, "password": PASSWORD})
    client.post("/accounts/verify/", {"code": "111111"})
    client.post("/accounts/verify/", {"code": "222222"})
    response = client.post("/accounts/verify/", {"code": current_code(alice)})
    assert response["Location"] == "/accounts/login/"


def test_logout_needs_post_and_ends_the_session(client_alice: Client) -> None:
    assert client_alice.get("/accounts/logout/").status_code == 405
    client_alice.post("/accounts/logout/")
    assert client_alice.get("/o/clinic-a/people/").status_code == 302


def test_the_msp_switches_between_organisations(org_a: Organisation, org_b: Organisation) -> None:
    from clinicshield.accounts.actions import do_add_member

    tech = make_user(org_a, "tech@msp.example", "viewer", with_totp=False)
    do_add_member(org_b, tech.email, "viewer", "test")
    client = log_in(Client(), tech)
    page = client.get("/o/clinic-a/people/").content.decode()
    assert "/o/clinic-b/dashboard/" in page  # the switcher offers the other organisation
    assert client.get("/o/clinic-b/people/").status_code == 200
