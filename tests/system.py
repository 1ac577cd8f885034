"""Skipping a test for a missing system part, honestly: on CI a skip is a failure.

CI installs and starts every system part (.ci/run), so a test that cannot find one there
means CI is broken, and that must not pass silently as a skip.
"""

import os
import shutil
import subprocess

import pytest


def need(condition: bool, reason: str) -> None:
    """Skip with `reason` when `condition` is false; fail instead when CI=true."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must provide this, but: {reason}")
    pytest.skip(reason)


def need_program(name: str, package: str) -> str:
    path = shutil.which(name)
    need(path is not None, f"{name} is not installed (Debian package {package})")
    assert path is not None
    return path


def need_root_netns() -> None:
    need(os.geteuid() == 0, "network namespace tests need root")
    need_program("ip", "iproute2")
    probe = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    need(probe.returncode == 0, f"ip netns does not work here: {probe.stderr.strip()}")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def need_chromium() -> str:
    need(os.path.exists(CHROMIUM), "Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM
