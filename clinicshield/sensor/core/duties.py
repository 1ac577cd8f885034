"""The sensor's regular duties: a health report, and the probes and scans the server
schedules.

The health report goes every ``heartbeat`` seconds; the server keeps it on the site (the
dashboard lists sites whose sensor went silent) and answers with the schedule: how often
to run the segmentation probes of the zones this sensor was told it sits in, and how many
scans of the site's networks wait for it (run in a thread of their own: ``site_scans``).
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from clinicshield.exposure.core.probe import probe

from .client import CentralServer
from .site_scans import SiteScans
from .status import Status

HEALTH_PATH = "/api/sensor/health"
PLAN_PATH = "/api/sensor/probe-plan"
RESULTS_PATH = "/api/sensor/probe-results"


class Duties(threading.Thread):
    def __init__(
        self,
        server: CentralServer,
        status: Status,
        report: Callable[[], dict[str, Any]],
        *,
        sensor: str,
        version: str,
        heartbeat: float,
        zones: list[str],
        probe_timeout: float,
    ) -> None:
        super().__init__(name="duties", daemon=True)
        self.server, self.status, self.report = server, status, report
        self.sensor, self.version, self.heartbeat = sensor, version, heartbeat
        self.zones, self.probe_timeout = zones, probe_timeout
        self.last_probe: float | None = None
        self.scans: SiteScans | None = None

    def run(self) -> None:
        while not self.status.stop.is_set():
            schedule = self.report_health()
            every = int(schedule.get("probe_every_minutes") or 0)
            if every and self.zones and self._probe_due(every):
                self.run_probes()
            if schedule.get("scans_waiting") and not (self.scans and self.scans.is_alive()):
                self.scans = SiteScans(self.server, self.status, sensor=self.sensor)
                self.scans.start()
            self.status.stop.wait(self.heartbeat)

    def report_health(self) -> dict[str, Any]:
        """Send the report; return the schedule the server answered with ({} on failure)."""
        payload = {"sensor": self.sensor, "version": self.version, "report": self.report()}
        answer = self.server.post_json(HEALTH_PATH, payload)
        if answer.kind == "fatal":
            self.status.give_up(answer.message)
        elif answer.kind != "ok":
            self.status.error(f"health report: {answer.message}")
        return answer.body if answer.kind == "ok" else {}

    def _probe_due(self, every_minutes: int) -> bool:
        return self.last_probe is None or time.time() - self.last_probe >= every_minutes * 60

    def run_probes(self) -> None:
        self.last_probe = time.time()
        for zone in self.zones:
            self.status.probes[zone] = self._probe_zone(zone)

    def _probe_zone(self, zone: str) -> dict[str, Any]:
        """Fetch the plan, connect, report; the server judges (as ``probe --server``)."""
        started = time.time()
        query = urllib.parse.urlencode({"zone": zone})
        plan = self.server.request("GET", f"{PLAN_PATH}?{query}")
        if plan.kind != "ok":
            self.status.error(f"probe plan for {zone}: {plan.message}")
            return {"at": started, "error": plan.message}
        endpoints = [(str(a), int(p)) for a, p in plan.body.get("endpoints", [])]
        states = probe(endpoints, timeout=self.probe_timeout) if endpoints else {}
        payload = {"zone": zone, "states": [[a, p, s] for (a, p), s in sorted(states.items())]}
        answer = self.server.post_json(RESULTS_PATH, payload)
        if answer.kind != "ok":
            self.status.error(f"probe results for {zone}: {answer.message}")
            return {"at": started, "error": answer.message}
        verdicts = [str(v.get("verdict")) for v in answer.body.get("verdicts", [])]
        summary = {v: verdicts.count(v) for v in sorted(set(verdicts))}
        self.status.say(f"probes from zone {zone}: {summary or 'no rules'}")
        return {"at": started, "verdicts": summary}
