"""Shared fixtures. Three users make every permission test read like a sentence:
alice owns organisation A, bob is a viewer in A, charlie owns organisation B.

Tests never depend on the real date. A test sets every time it relies on: it passes `now=` or
`--now`, builds its data at fixed dates (`created_on` dates an organisation), or, for a page that
measures at the real clock, builds its data around `timezone.now()`. `make test` runs the suite
a second time 400 days ahead (libfaketime) to prove it; a test that cannot run under
libfaketime is marked `real_clock` with the reason.
"""

import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinicshield.accounts import actions
from clinicshield.accounts.models import Organisation

PASSWORD = "correct horse battery staple"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_configure(config: Any) -> None:
    _one_request_at_a_time_in_the_live_server()
    config.addinivalue_line(
        "markers",
        "real_clock(reason): cannot run with the clock moved by libfaketime (the reason says "
        "why); `make pytest-shifted` leaves it out",
    )


@pytest.fixture(autouse=True, scope="session")
def due_jobs_registered() -> None:
    """What `run-due` and the worker do first: import every app's due jobs."""
    from clinicshield.lib.due import discover

    discover()


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """Every test gets its own data dir (event store, quarantine, generated files)."""
    # A page seen in Spanish by an earlier test must not leave this one speaking Spanish.
    from django.utils import translation

    translation.activate("en")
    # Real hashing costs half a second a password; the tests are about our logic, not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DATA_DIR = tmp_path / "data"
    settings.EVENTS_DIR = settings.DATA_DIR / "events"
    settings.DATA_DIR.mkdir()
    return Path(settings.DATA_DIR)


@pytest.fixture
def shared_data() -> Path:
    from tests.system import need

    need(SHARED_DATA.is_dir(), f"the shared test data folder {SHARED_DATA} is missing")
    return SHARED_DATA


def make_org(name: str, slug: str) -> Organisation:
    org = actions.do_create_organisation(name, slug, "Europe/Madrid", "test")
    actions.do_create_site(org, "Madrid", "test")
    return org


def created_on(org: Organisation, when: datetime) -> Organisation:
    """Date the organisation's creation: `created_at` takes the real clock on insert, and a test
    whose outcome depends on the organisation's age (a first report, a first drill) sets it."""
    Organisation.objects.filter(pk=org.pk).update(created_at=when)
    org.refresh_from_db(fields=["created_at"])
    return org


@pytest.fixture
def org_a(db: Any) -> Organisation:
    return make_org("Clínica A", "clinic-a")


@pytest.fixture
def org_b(db: Any) -> Organisation:
    return make_org("Clínica B", "clinic-b")


def make_user(org: Organisation, email: str, role: str, with_totp: bool) -> Any:
    user = actions.do_add_member(org, email, role, "test").user
    actions.do_set_password(user, PASSWORD)
    if with_totp:
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


@pytest.fixture
def alice(org_a: Organisation) -> Any:
    return make_user(org_a, "alice@a.example", "owner", with_totp=True)


@pytest.fixture
def bob(org_a: Organisation) -> Any:
    return make_user(org_a, "bob@a.example", "viewer", with_totp=False)


@pytest.fixture
def charlie(org_b: Organisation) -> Any:
    return make_user(org_b, "charlie@b.example", "owner", with_totp=True)


def current_code(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(client: Client, user: Any) -> Client:
    """Log in through the real pages: password, then the TOTP code when the user has one."""
    response = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    if response["Location"].endswith("/accounts/verify/"):
        response = client.post("/accounts/verify/", {"code": current_code(user)})
        assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def client_alice(alice: Any) -> Client:
    return log_in(Client(), alice)


@pytest.fixture
def client_bob(bob: Any) -> Client:
    return log_in(Client(), bob)


@pytest.fixture
def client_charlie(charlie: Any) -> Client:
    return log_in(Client(), charlie)


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if address in (m["To"] or "")]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()


def body_text(message: Message) -> str:
    """The plain-text body of a received message, decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("message has no text/plain part")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    try:
        yield sink
    finally:
        controller.stop()


def _one_request_at_a_time_in_the_live_server() -> None:
    """The SQLite test database lives in memory, and the live server's threads share its one
    connection: a page and its poll arriving together collided on it ("cannot commit
    transaction - SQL statements in progress"), and a browser test failed now and then. A
    server without threads answers one request at a time and closes each connection."""
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATime(WSGIServer):
        # The server thread itself already uses the shared connection: nothing to hand on.
        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = OneAtATime


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """On the PostgreSQL pass (CLINICSHIELD_TEST_DB_ONLY=1) run only what touches the database:
    the pure-Python tests ran already on the SQLite pass and would only repeat themselves."""
    import os

    if os.environ.get("CLINICSHIELD_TEST_DB_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_db = bool(DB_FIXTURES & set(getattr(item, "fixturenames", ()))) or bool(
            item.get_closest_marker("django_db")
        )
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser); each test opens
    its own contexts (locale, phone viewport, permissions) on it."""
    from tests.system import CHROMIUM_ARGS, need_chromium

    executable = need_chromium()
    # Playwright's sync API keeps an event loop on this thread; the ORM calls a test makes
    # between browser steps stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
