import asyncio
import contextlib
import signal
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from clinicshield.accounts.cli import get_org
from clinicshield.lib.cli import add_org_argument, from_user_error
from clinicshield.lib.errors import UserError
from clinicshield.monitoring.actions import do_ingest_messages, geo_lookup
from clinicshield.monitoring.core.syslog_listener import SyslogListener

FLUSH_SECONDS = 1.0
FLUSH_MESSAGES = 5000


class Command(BaseCommand):
    help = (
        "Receive syslog (RFC 3164 and 5424) on UDP and TCP (octet counting or newline "
        "framing) and store sign-ins as they arrive. Stops cleanly on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_org_argument(parser)
        parser.add_argument("--bind", default="127.0.0.1", help="address to listen on")
        parser.add_argument(
            "--port",
            type=int,
            default=settings.SYSLOG_PORT,
            help="UDP and TCP port (default CLINICSHIELD_SYSLOG_PORT, 5514)",
        )
        parser.add_argument(
            "--source", default="syslog-receiver", help="log source name for what arrives"
        )
        parser.add_argument("--timezone", help="zone of RFC 3164 times (default the org's)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = get_org(options["org"])
        try:  # an unusable .mmdb setting is refused before listening
            receiver = Receiver(org, options["source"], options["timezone"], self.stdout)
        except UserError as error:
            raise from_user_error(error) from None
        asyncio.run(receiver.serve(options["bind"], options["port"]))


class Receiver:
    """Collects messages from every connection and stores them in batches, one at a time."""

    def __init__(self, org: Any, source: str, tz: str | None, out: Any) -> None:
        self.org, self.source, self.tz, self.out = org, source, tz, out
        self.pending: list[str] = []
        self.geo = geo_lookup(org)
        self.stored = 0

    async def serve(self, bind: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        listener = SyslogListener(self.pending.extend)
        await listener.open(bind, port)
        self.out.write(f"listening on udp and tcp {bind}:{port}\n")
        sys.stdout.flush()
        flusher = asyncio.create_task(self._flush_regularly(stop))
        await stop.wait()
        await listener.close()  # before the last flush: open connections' last lines too
        await flusher
        while self.pending:
            await asyncio.to_thread(self._flush)
        self.out.write(f"stopped; {self.stored} messages stored\n")

    async def _flush_regularly(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), FLUSH_SECONDS)
            while self.pending:
                await asyncio.to_thread(self._flush)

    def _flush(self) -> None:
        # The event loop keeps appending while this runs in a thread: take a prefix.
        batch = self.pending[:FLUSH_MESSAGES]
        del self.pending[: len(batch)]
        if not batch:
            return
        result = do_ingest_messages(self.org, self.source, batch, tz=self.tz, geo=self.geo)
        self.stored += result.read
