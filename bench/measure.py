"""A command run under a small measuring process: its wall time, CPU time and peak memory.

The command is started by a fresh small interpreter rather than by the bench: a child's peak
(``ru_maxrss``) counts the memory of the process it was forked from, which would be the
bench's own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

_MEASURE = (
    "import json, resource, subprocess, sys, time\n"
    "began = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps({'seconds': time.perf_counter() - began, 'code': done.returncode,\n"
    "  'peak_kib': usage.ru_maxrss, 'cpu_seconds': usage.ru_utime + usage.ru_stime,\n"
    "  'out': done.stdout[-20000:], 'err': done.stderr[-4000:]}))\n"
)


def measured(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> dict[str, Any]:
    """``seconds``, ``cpu_seconds``, ``peak_kib``, ``out`` (its last 20,000 characters) and
    ``err`` of ``command``; a command that fails stops the bench with its error output."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    if result["code"] != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed: {result['err'][-2000:]}")
    return result
