"""The site's scheduled scans, run by its sensor.

The central worker cannot reach a clinic's networks, so the server leaves the scans of a
site's networks to the site's sensor: the health answer says how many wait, the sensor
takes them (``POST /api/sensor/scan-plan``), runs each with the product's scanner
(``exposure.core.observe``: connect scan, identification, SNMP, as a central scan) and posts
what it saw (``POST /api/sensor/scan-results``); the server stores it as a central scan's.

The server checked each scan's addresses against the registered networks; the sensor
checks them again against the scan's network before it sends a packet, so a wrong plan
cannot make it scan outside.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from typing import Any

from clinicshield.exposure.core.observe import observe
from clinicshield.exposure.core.scanner import ScanOptions
from clinicshield.exposure.core.scope import OutOfScope, check_scope
from clinicshield.exposure.core.site_report import observation_to_report

from .client import Answer, CentralServer
from .status import Status

PLAN_PATH = "/api/sensor/scan-plan"
RESULTS_PATH = "/api/sensor/scan-results"
MAX_BACKOFF_SECONDS = 60.0


class SiteScans(threading.Thread):
    """Takes the scans waiting for the site and runs them one after the other."""

    def __init__(
        self, server: CentralServer, status: Status, *, sensor: str, timeout: float = 1.0
    ) -> None:
        super().__init__(name="site-scans", daemon=True)
        self.server, self.status, self.sensor, self.timeout = server, status, sensor, timeout

    def run(self) -> None:
        plan = self.server.post_json(PLAN_PATH, {"sensor": self.sensor})
        if plan.kind == "fatal":
            self.status.give_up(plan.message)
            return
        if plan.kind != "ok":
            self.status.error(f"scan plan: {plan.message}")
            return
        for order in plan.body.get("scans", []):
            if self.status.stop.is_set():
                return  # the server hands the scan out again once its lease is over
            self.status.scans[str(order["scan"])] = self.run_one(order)

    def run_one(self, order: dict[str, Any]) -> dict[str, Any]:
        started = time.time()
        report, error = run_scan_order(order, self.timeout)
        payload = {"scan": order["scan"], **report, "error": error}
        answer = self._send(payload)
        if answer.kind != "ok":
            self.status.error(f"scan {order['scan']} results: {answer.message}")
            return {"at": started, "network": order["network"], "error": answer.message}
        found = answer.body.get("findings", 0)
        self.status.say(
            f"scan {order['scan']} of {order['network']}: "
            + (f"failed ({error})" if error else f"{found} open port(s), sent")
        )
        return {"at": started, "network": order["network"], "findings": found, "error": error}

    def _send(self, payload: dict[str, Any]) -> Answer:
        """Post the results, waiting out an unreachable or busy server (the scan's work is
        not thrown away for a restart of the central server)."""
        wait = 1.0
        while True:
            answer = self.server.post_json(RESULTS_PATH, payload)
            if answer.kind == "fatal":
                self.status.give_up(answer.message)
            if answer.kind != "retry" or self.status.stop.is_set():
                return answer
            self.status.stop.wait(wait * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
            wait = min(MAX_BACKOFF_SECONDS, wait * 2)


def run_scan_order(order: dict[str, Any], timeout: float) -> tuple[dict[str, Any], str]:
    """Run one scan the server handed out: what it saw, or why it could not run."""
    try:
        addresses = [str(a) for a in check_scope(order["addresses"], [order["network"]])]
    except OutOfScope as refused:
        return {}, f"refused by the sensor: {refused.target} is outside {order['network']}"
    options = ScanOptions(ports=[int(p) for p in order["ports"]], timeout=timeout)
    try:
        observation = asyncio.run(observe(addresses, options))
    except Exception as failure:  # the scan failed: the server marks it failed, says why
        return {}, f"{type(failure).__name__}: {failure}"[:2000]
    return observation_to_report(observation), ""
