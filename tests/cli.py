"""Run the real `clinicshield` entry point in a subprocess, on a data dir of its own."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    code: int
    out: str
    err: str


def clinicshield(
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
) -> Result:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CLINICSHIELD_")
        and key not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment["CLINICSHIELD_DATA_DIR"] = str(data_dir)
    environment.update(env or {})
    process = subprocess.run(
        [sys.executable, "-m", "clinicshield.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        input=stdin,
        timeout=timeout,
    )
    return Result(process.returncode, process.stdout, process.stderr)
