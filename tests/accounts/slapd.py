"""A real OpenLDAP server for the directory tests: slapd on a loopback port, its own
configuration and database in a temporary folder, entries added and changed with Debian's
ldap-utils (ldapadd, ldapmodify, ldapdelete), stopped at the end.

The schema includes Debian's msuser.schema, so the `ou=staff` branch holds Active
Directory-shaped users (objectClass user, objectGUID, userAccountControl); `ou=people` holds
plain OpenLDAP inetOrgPerson users and a groupOfNames of the staff.
"""

import base64
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import free_port
from tests.system import need_program

SUFFIX = "dc=clinic,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "slapd-root-test-only"
READER_DN = f"cn=clinicshield-reader,ou=service,{SUFFIX}"
READER_PASSWORD = "reader-test-only-password"
SCHEMAS = ("core", "cosine", "inetorgperson", "nis", "msuser")

CONFIG = """\
{includes}
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args

database mdb
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {folder}/db
maxsize 67108864
index objectClass eq
# Only a bound account reads the directory: the sync must use its bind password.
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
"""

BASE_LDIF = f"""\
dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Clinic test
dc: clinic

dn: ou=service,{SUFFIX}
objectClass: organizationalUnit
ou: service

dn: {READER_DN}
objectClass: person
cn: clinicshield-reader
sn: reader
userPassword: {READER_PASSWORD}

dn: ou=staff,{SUFFIX}
objectClass: organizationalUnit
ou: staff

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups
"""


def ad_user(cn: str, guid: str, control: int = 512, **attributes: str) -> str:
    """An Active Directory-shaped user (AD's mandatory system attributes included)."""
    encoded = base64.b64encode(uuid.UUID(guid).bytes_le).decode()
    lines = [
        f"dn: cn={cn},ou=staff,{SUFFIX}",
        "objectClass: user",
        "objectClass: extensibleObject",
        f"cn: {cn}",
        f"sn: {cn.split()[-1]}",
        "instanceType: 4",
        "nTSecurityDescriptor: AA==",
        f"objectCategory: cn=Person,cn=Schema,cn=Configuration,{SUFFIX}",
        f"objectGUID:: {encoded}",
        f"userAccountControl: {control}",
        *(f"{key}: {value}" for key, value in attributes.items()),
    ]
    return "\n".join(lines) + "\n"


def person_entry(uid: str, cn: str, **attributes: str) -> str:
    lines = [
        f"dn: uid={uid},ou=people,{SUFFIX}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        f"cn: {cn}",
        f"sn: {cn.split()[-1]}",
        *(f"{key}: {value}" for key, value in attributes.items()),
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Slapd:
    url: str
    folder: Path

    def _tool(self, tool: str, ldif: str = "", *args: str) -> None:
        command = [tool, "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD, *args]
        done = subprocess.run(command, input=ldif, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{tool} failed: {done.stderr}"

    def add(self, *entries: str) -> None:
        self._tool("ldapadd", "\n".join(entries))

    def modify(self, dn: str, *changes: str) -> None:
        self._tool("ldapmodify", f"dn: {dn}\nchangetype: modify\n" + "\n-\n".join(changes) + "\n")

    def delete(self, dn: str) -> None:
        self._tool("ldapdelete", "", dn)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running_slapd(folder: Path) -> Iterator[Slapd]:
    slapd = need_program("slapd", "slapd")
    need_program("ldapadd", "ldap-utils")
    (folder / "db").mkdir(parents=True)
    includes = "\n".join(f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS)
    config = folder / "slapd.conf"
    config.write_text(
        CONFIG.format(
            includes=includes,
            folder=folder,
            suffix=SUFFIX,
            root_dn=ROOT_DN,
            root_password=ROOT_PASSWORD,
        )
    )
    port = free_port()
    url = f"ldap://127.0.0.1:{port}"
    started = subprocess.run(
        [slapd, "-h", f"{url}/", "-f", str(config), "-n", "slapd-clinicshield-test"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert started.returncode == 0, f"slapd did not start: {started.stderr}"
    pid = int((folder / "slapd.pid").read_text())
    try:
        deadline = time.monotonic() + 15
        while not _listening(port):
            assert time.monotonic() < deadline, "slapd did not listen in time"
            time.sleep(0.05)
        server = Slapd(url, folder)
        server.add(BASE_LDIF)
        yield server
    finally:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
