"""Our sshd path and fail2ban's sshd filter count the same failures in the same log.

fail2ban deliberately does not count a failed public key (clients try several keys) nor
PAM's "authentication failure" line (sshd logs its own line for the same attempt); we
store both as failures, with their own event codes, so the comparison leaves them out.
"""

import re
import subprocess
from pathlib import Path

from clinicshield.monitoring.core import synthetic
from tests.monitoring.ingest.helpers import run, stored
from tests.system import need_program

NOT_COUNTED_BY_FAIL2BAN = {"sshd:failed_publickey", "pam:auth_failure"}


def fail2ban_failures(log: Path) -> int:
    program = need_program("fail2ban-regex", "fail2ban")
    output = subprocess.run(
        [program, str(log), "/etc/fail2ban/filter.d/sshd.conf"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    match = re.search(r"^Lines: \d+ lines, \d+ ignored, (\d+) matched", output, re.M)
    assert match, output[-2000:]
    return int(match.group(1))


def test_it_finds_the_failures_fail2ban_finds(tmp_path: Path) -> None:
    log = tmp_path / "auth.log"
    expected = synthetic.write_sshd_auth_log(log, 3000, seed=11)
    run(tmp_path, log, "syslog", year=2025)
    ours = sum(
        1
        for r in stored(tmp_path, "auth")
        if r["outcome"] == "failure" and r["event_code"] not in NOT_COUNTED_BY_FAIL2BAN
    )
    assert ours == expected == fail2ban_failures(log)
