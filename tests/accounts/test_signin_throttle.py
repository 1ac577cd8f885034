"""Guessing at our own sign-in is limited per account and per address: a stranger who types
wrong passwords or codes for alice is stopped, and alice, signing in from elsewhere, is not."""

from typing import Any

from django.test import Client

from tests.conftest import PASSWORD, current_code

STRANGER = "127.0.0.66"
ALICE_DESK = "127.0.0.10"


def _password(client: Client, email: str, password: str) -> Any:
    return client.post("/accounts/login/", {"email": email, "password": password})


def test_a_stranger_cannot_lock_alice_out_by_failing_from_another_address(
    alice: Any, settings: Any
) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    stranger = Client(REMOTE_ADDR=STRANGER)
    for _ in range(3):
        wrong = _password(stranger, alice.email, "guess")
        assert "Wrong email or password" in wrong.content.decode()
    # The stranger's address is stopped for alice's account, even with the right password...
    refused = _password(stranger, alice.email, PASSWORD)
    assert refused.status_code == 200 and "Too many failed attempts" in refused.content.decode()
    # ...while alice, at her desk, signs in as usual.
    desk = Client(REMOTE_ADDR=ALICE_DESK)
    assert _password(desk, alice.email, PASSWORD)["Location"] == "/accounts/verify/"
    assert desk.post("/accounts/verify/", {"code": current_code(alice)}).status_code == 302
    # Her success does not give the stranger a fresh set of guesses.
    assert "Too many failed attempts" in _password(stranger, alice.email, "guess").content.decode()


def test_code_guesses_stop_the_guessing_address_not_alice(alice: Any, settings: Any) -> None:
    """Someone holding alice's password guesses her six-digit code: a few tries, then refused,
    even with the right code; alice at her desk still gets in."""
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off is a separate limit
    stranger = Client(REMOTE_ADDR=STRANGER)
    assert _password(stranger, alice.email, PASSWORD)["Location"] == "/accounts/verify/"
    for guess in ("111111", "222222", "333333"):
        page = stranger.post("/accounts/verify/", {"code": guess})
        assert "That code is not right" in page.content.decode()
    response = stranger.post("/accounts/verify/", {"code": current_code(alice)}, follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/"
    assert "Too many failed attempts" in response.content.decode()
    desk = Client(REMOTE_ADDR=ALICE_DESK)
    assert _password(desk, alice.email, PASSWORD)["Location"] == "/accounts/verify/"
    assert desk.post("/accounts/verify/", {"code": current_code(alice)}).status_code == 302


def test_addresses_of_one_ipv6_network_count_as_one(alice: Any, settings: Any) -> None:
    """A single IPv6 customer holds a /64: changing the last half is not a new address."""
    settings.LOGIN_FAILURE_LIMIT = 3
    for suffix in ("1", "2", "3"):
        client = Client(REMOTE_ADDR=f"2001:db8:5:7::{suffix}")
        _password(client, alice.email, "guess")
    refused = _password(Client(REMOTE_ADDR="2001:db8:5:7::ff"), alice.email, PASSWORD)
    assert "Too many failed attempts" in refused.content.decode()
    other_network = _password(Client(REMOTE_ADDR="2001:db8:5:8::1"), alice.email, PASSWORD)
    assert other_network["Location"] == "/accounts/verify/"


def test_the_lock_lifts_after_the_lockout_window(alice: Any, settings: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from clinicshield.accounts.models import LoginFailure

    settings.LOGIN_FAILURE_LIMIT = 2
    stranger = Client(REMOTE_ADDR=STRANGER)
    for _ in range(2):
        _password(stranger, alice.email, "guess")
    assert "Too many failed attempts" in _password(stranger, alice.email, PASSWORD).content.decode()
    long_ago = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    LoginFailure.objects.update(at=long_ago)
    assert _password(stranger, alice.email, PASSWORD)["Location"] == "/accounts/verify/"
