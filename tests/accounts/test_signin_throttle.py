"""Guessing at our own sign-in is limited per account and per address: a stranger who types
wrong passwords or codes for alice is stopped, and alice, signing in from elsewhere, is not."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from clinicshield.accounts.actions import do_record_login_failure
from clinicshield.accounts.models import LoginFailure
from clinicshield.lib.due import run_due
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


PROXY = "127.0.0.1"


def _through_proxy(client_forwarded_for: str | None, client_address: str) -> Client:
    """A browser behind our one reverse proxy, which appends the address it saw."""
    chain = f"{client_forwarded_for}, {client_address}" if client_forwarded_for else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


def test_behind_a_proxy_the_client_address_counts_not_the_proxys(alice: Any, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.PROXY_HOPS = 1
    for forged in ("127.0.0.91", "127.0.0.92", "127.0.0.93"):  # what the stranger writes
        _password(_through_proxy(forged, STRANGER), alice.email, "guess")
    refused = _password(_through_proxy("127.0.0.94", STRANGER), alice.email, PASSWORD)
    assert "Too many failed attempts" in refused.content.decode()
    desk = _password(_through_proxy(None, ALICE_DESK), alice.email, PASSWORD)
    assert desk["Location"] == "/accounts/verify/"


def test_without_proxies_a_clients_forwarded_for_is_ignored(alice: Any, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    assert settings.PROXY_HOPS == 0
    for forged in ("127.0.0.91", "127.0.0.92", "127.0.0.93"):
        client = Client(REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR=forged)
        _password(client, alice.email, "guess")
    client = Client(REMOTE_ADDR=STRANGER, HTTP_X_FORWARDED_FOR="127.0.0.94")
    assert "Too many failed attempts" in _password(client, alice.email, PASSWORD).content.decode()


def test_code_guesses_from_many_addresses_meet_the_authenticators_back_off(alice: Any) -> None:
    """Per-address limits alone would let many addresses share out a million codes; the
    authenticator's own back-off (django-otp: 1, 2, 4... seconds after each miss, for every
    address) stops that: after six misses even the right code waits half a minute."""
    wrong = "000000" if current_code(alice) != "000000" else "111111"
    for number in range(6):
        client = Client(REMOTE_ADDR=f"127.0.1.{number + 1}")
        _password(client, alice.email, PASSWORD)
        client.post("/accounts/verify/", {"code": wrong})
    late = Client(REMOTE_ADDR=ALICE_DESK)
    _password(late, alice.email, PASSWORD)
    response = late.post("/accounts/verify/", {"code": current_code(alice)})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()


@pytest.mark.django_db
def test_failures_older_than_the_lockout_window_are_forgotten_by_the_due_job(
    settings: Any,
) -> None:
    settings.LOGIN_LOCKOUT_MINUTES = 15
    now = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    for username, minutes_ago in (("made-up-1@x.example", 16), ("made-up-2@x.example", 14)):
        do_record_login_failure(username, STRANGER)
        LoginFailure.objects.filter(username=username).update(
            at=now - timedelta(minutes=minutes_ago)
        )
    summary = run_due(now, only=["accounts.forget_login_failures"])
    assert summary == {"accounts.forget_login_failures": "1 old sign-in failure(s) forgotten"}
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["made-up-2@x.example"]


def test_guesses_spread_over_many_addresses_meet_a_ceiling_per_account(
    bob: Any, settings: Any
) -> None:
    """Bob, a viewer, has no second factor. Guesses shared out over many addresses, a few
    each, stop at the account's ceiling: then only addresses Bob signed in from before may
    try his password, until the window ends. Bob at his desk is not locked out."""
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    desk = Client(REMOTE_ADDR=ALICE_DESK)
    assert _password(desk, bob.email, PASSWORD).status_code == 302  # his usual address
    desk.post("/accounts/logout/")
    for number in range(3):  # two guesses from each of three addresses: none is stopped
        guesser = Client(REMOTE_ADDR=f"127.0.2.{number + 1}")
        for _ in range(2):
            assert (
                "Wrong email or password" in _password(guesser, bob.email, "guess").content.decode()
            )
    # The ceiling is reached: a new address is refused, even with the right password...
    refused = _password(Client(REMOTE_ADDR="127.0.2.50"), bob.email, PASSWORD)
    assert refused.status_code == 200
    assert "Too many failed sign-ins on this account" in refused.content.decode()
    # ...while Bob's own address still signs in.
    assert _password(Client(REMOTE_ADDR=ALICE_DESK), bob.email, PASSWORD).status_code == 302


def test_below_the_account_ceiling_a_new_address_signs_in(bob: Any, settings: Any) -> None:
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    for number in range(5):
        _password(Client(REMOTE_ADDR=f"127.0.3.{number + 1}"), bob.email, "guess")
    assert _password(Client(REMOTE_ADDR="127.0.3.50"), bob.email, PASSWORD).status_code == 302


def test_the_account_ceiling_says_so_in_spanish(bob: Any, settings: Any) -> None:
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 2
    for number in range(2):
        _password(Client(REMOTE_ADDR=f"127.0.4.{number + 1}"), bob.email, "guess")
    spanish = Client(REMOTE_ADDR="127.0.4.50", HTTP_ACCEPT_LANGUAGE="es")
    refused = _password(spanish, bob.email, PASSWORD).content.decode()
    assert "Demasiados intentos fallidos en esta cuenta" in refused


@pytest.mark.django_db
def test_sign_in_addresses_unused_for_a_year_are_forgotten_by_the_due_job() -> None:
    from clinicshield.accounts.actions import do_record_sign_in
    from clinicshield.accounts.models import SignInAddress

    now = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
    do_record_sign_in("old@x.example", "127.0.5.1", now - timedelta(days=400))
    do_record_sign_in("recent@x.example", "127.0.5.2", now - timedelta(days=30))
    run_due(now, only=["accounts.forget_login_failures"])
    assert list(SignInAddress.objects.values_list("username", flat=True)) == ["recent@x.example"]
