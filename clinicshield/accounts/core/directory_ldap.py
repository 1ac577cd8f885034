"""Staff from an LDAP directory (Active Directory, OpenLDAP, 389-DS), read with ldap3.

Every run lists every user under the base DN that matches the filter (a paged search), so
anyone no longer listed has left: LDAP has no standard way to tell deletions to a reader
without special rights (AD's DirSync) or server set-up (OpenLDAP's syncprov), and a paged
listing of tens of thousands of entries takes seconds. Someone is disabled when AD's
`userAccountControl` has the ACCOUNTDISABLE bit (2), or, when a staff group is configured,
when they are not one of its members. Each user is known by an immutable id: AD's
`objectGUID` (shown as AD shows it), else OpenLDAP's `entryUUID`, or a named attribute.

Binds send a password, so the connection is encrypted (ldaps:// or StartTLS) unless the
server is on loopback.
"""

import ssl
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException

from .directory import DirectoryUser, Mapping

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
ACCOUNTDISABLE = 0x2
DEFAULT_FILTER = "(&(objectClass=person)(!(objectClass=computer)))"
ID_ATTRIBUTES = ("objectGUID", "entryUUID")


class LdapError(Exception):
    """The directory could not be read; the message says where and why."""


@dataclass(frozen=True)
class LdapSettings:
    url: str
    base_dn: str
    bind_dn: str = ""
    bind_password: str = field(default="", repr=False)
    user_filter: str = DEFAULT_FILTER
    id_attribute: str = ""  # empty: objectGUID, else entryUUID
    staff_group: str = ""  # DN of a group; when set, only its members are active
    start_tls: bool = False
    ca_file: str = ""  # a CA bundle for the server's certificate (an internal CA)
    page_size: int = 500
    timeout_s: float = 30.0


def normalise_dn(dn: str) -> str:
    return ",".join(part.strip() for part in dn.split(",")).lower()


def format_id(raw: bytes) -> str:
    """objectGUID is 16 bytes, little-endian in its first three fields, as AD prints it."""
    if len(raw) == 16:
        try:
            return str(uuid.UUID(bytes_le=raw))
        except ValueError:
            pass
    return raw.decode("utf-8", "replace").strip()


def connect(settings: LdapSettings) -> ldap3.Connection:
    parts = urllib.parse.urlsplit(settings.url)
    if parts.scheme not in ("ldap", "ldaps"):
        raise LdapError(f"url {settings.url!r} must start with ldaps:// or ldap://")
    encrypted = parts.scheme == "ldaps" or settings.start_tls
    if not encrypted and parts.hostname not in LOOPBACK_HOSTS:
        raise LdapError(f"{settings.url}: use ldaps:// or start_tls, the bind sends a password")
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=settings.ca_file or None)
    server = ldap3.Server(
        settings.url, get_info=ldap3.NONE, tls=tls, connect_timeout=int(settings.timeout_s)
    )
    try:
        connection = ldap3.Connection(
            server,
            user=settings.bind_dn or None,
            password=settings.bind_password or None,
            read_only=True,
            raise_exceptions=True,
            receive_timeout=int(settings.timeout_s),  # ldap3 packs it as an integer
        )
        connection.open()
        if settings.start_tls:
            connection.start_tls()
        connection.bind()
    except LDAPException as error:
        raise LdapError(f"{settings.url}: {error}") from None
    return connection


def read_users(settings: LdapSettings, mapping: Mapping) -> list[DirectoryUser]:
    """Every user the filter selects, with `enabled` worked out; raises LdapError."""
    connection = connect(settings)
    try:
        members = group_members(connection, settings.staff_group) if settings.staff_group else None
        attributes = sorted(
            {*mapping.attributes.values(), "userAccountControl", *ID_ATTRIBUTES}
            | ({settings.id_attribute} if settings.id_attribute else set())
        )
        entries = connection.extend.standard.paged_search(
            settings.base_dn,
            settings.user_filter,
            search_scope=ldap3.SUBTREE,
            attributes=attributes,
            paged_size=settings.page_size,
            generator=True,
        )
        return [
            user_from_entry(entry, settings, mapping, members)
            for entry in entries
            if entry.get("type") == "searchResEntry"
        ]
    except LDAPException as error:
        raise LdapError(f"{settings.url} ({settings.base_dn}): {error}") from None
    finally:
        connection.unbind()


def group_members(connection: ldap3.Connection, group_dn: str) -> set[str]:
    connection.search(
        group_dn, "(objectClass=*)", search_scope=ldap3.BASE, attributes=["member", "uniqueMember"]
    )
    if not connection.response:
        raise LdapError(f"staff_group {group_dn!r} was not found")
    found: set[str] = set()
    for entry in connection.response or []:
        for name in ("member", "uniqueMember"):
            found.update(normalise_dn(str(dn)) for dn in _values(entry["attributes"], name))
    return found


def _values(attributes: dict[str, Any], name: str) -> list[Any]:
    for key, value in attributes.items():
        if key.lower() == name.lower():
            return list(value) if isinstance(value, list | tuple) else [value]
    return []


def _first(attributes: dict[str, Any], name: str) -> Any:
    values = _values(attributes, name)
    return values[0] if values else None


def _external_id(entry: dict[str, Any], settings: LdapSettings) -> str:
    raw = entry.get("raw_attributes") or {}
    for name in [settings.id_attribute] if settings.id_attribute else list(ID_ATTRIBUTES):
        value = _first(raw, name)
        if value:
            return format_id(bytes(value))
    return ""


def user_from_entry(
    entry: dict[str, Any], settings: LdapSettings, mapping: Mapping, members: set[str] | None
) -> DirectoryUser:
    attributes = entry.get("attributes") or {}
    dn = str(entry.get("dn") or "")

    def text(our_field: str) -> str | None:
        value = _first(attributes, mapping.attributes[our_field])
        return "" if value is None else str(value)  # an absent attribute is an empty value

    enabled = True
    control = _first(attributes, "userAccountControl")
    if control not in (None, "") and int(control) & ACCOUNTDISABLE:
        enabled = False
    if members is not None and normalise_dn(dn) not in members:
        enabled = False
    return DirectoryUser(
        _external_id(entry, settings),
        dn,
        email=text("email"),
        name=text("name"),
        department=text("department"),
        site=text("site"),
        language=text("language"),
        enabled=enabled,
    )


def settings_from_config(config: dict[str, Any], password: str) -> LdapSettings:
    known = set(LdapSettings.__dataclass_fields__) - {"bind_password"}
    values = {key: config[key] for key in known if key in config}
    return LdapSettings(bind_password=password, **values)
