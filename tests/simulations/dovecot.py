"""A real Dovecot IMAP server on loopback, started and stopped by the test that needs it.

Everything lives in a temporary folder: the config file, a passwd-file with one user,
the maildir and Dovecot's runtime directories. Debian's dovecot-imapd provides the binary.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import free_port
from tests.system import need, need_program

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        with imaplib.IMAP4(self.host, self.port, timeout=10) as imap:
            imap.login(self.user, self.password)
            imap.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)


@contextmanager
def running_dovecot(
    user: str = "report@clinic-a.example",
    password: str = "s3cret-pass",  # noqa: S107 - a throwaway test account
) -> Iterator[Dovecot]:
    binary = need_program("dovecot", "dovecot-imapd")
    need(os.geteuid() == 0, "Dovecot is started as root so it can drop to its own users")
    owner = pwd.getpwnam("dovecot")
    root = Path(tempfile.mkdtemp(prefix="cs-dovecot-"))
    os.chmod(root, 0o755)  # noqa: S103 - Dovecot's own users must reach the maildir
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    for sub in ("mail", "home"):
        os.chown(root / sub, owner.pw_uid, owner.pw_gid)
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}\n")
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, port=port, uid=owner.pw_uid, gid=owner.pw_gid))
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process, root)
        yield Dovecot("127.0.0.1", port, user, password, root)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], root: Path) -> None:
    import socket

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot exited: {process.stderr.read()!r} {log}")  # type: ignore[union-attr]
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("dovecot did not start listening in 10 s")
