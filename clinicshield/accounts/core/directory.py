"""Staff records read from a directory (Entra ID, LDAP/AD), and how they map to our roster.

Readers (directory_graph.py, directory_ldap.py) return `DirectoryUser` records with the
directory's own values; `resolve_user` maps them to our departments, sites and languages
with an organisation's mapping, or says which record is wrong and why. A value the directory
did not send (a Graph delta update carries only what changed) stays `None`, meaning "keep
what we have", never "blank it".
"""

from dataclasses import dataclass, field
from typing import Any

from .roster import DEPARTMENTS, EMAIL_RE, LANGUAGES, normalise_department

# Where each of our fields is read from, by default, per kind of directory.
DEFAULT_ATTRIBUTES = {
    "graph": {
        "email": "mail",
        "name": "displayName",
        "department": "department",
        "site": "officeLocation",
        "language": "preferredLanguage",
    },
    "ldap": {
        "email": "mail",
        "name": "displayName",
        "department": "department",
        "site": "physicalDeliveryOfficeName",
        "language": "preferredLanguage",
    },
}
MAPPED_FIELDS = ("email", "name", "department", "site", "language")


@dataclass(frozen=True)
class DirectoryUser:
    """One user as the directory describes them. `None` means the value was not sent."""

    external_id: str  # immutable: Entra object id, AD objectGUID, OpenLDAP entryUUID
    where: str  # how to find the record again: an LDAP DN, a Graph user id
    email: str | None = None
    name: str | None = None
    department: str | None = None
    site: str | None = None
    language: str | None = None
    enabled: bool | None = None
    removed: bool = False  # deleted from the directory, or no longer in the synced scope


@dataclass(frozen=True)
class RecordProblem:
    where: str
    reason: str  # a code: missing_email, bad_email, unknown_department, ...
    value: str = ""


@dataclass(frozen=True)
class Mapping:
    """How an organisation's directory values become ours (all optional)."""

    attributes: dict[str, str]
    departments: dict[str, str] = field(default_factory=dict)  # directory value -> ours
    sites: dict[str, str] = field(default_factory=dict)  # directory value -> site name
    default_department: str = ""
    default_language: str = "es"


@dataclass(frozen=True)
class ResolvedUser:
    """A record in our terms; `None` still means "not sent, keep what we have"."""

    external_id: str
    where: str
    email: str | None
    name: str | None
    department: str | None
    site: str | None
    language: str | None
    enabled: bool | None


class MappingError(ValueError):
    """An organisation's mapping that cannot work; the message says which key."""


def build_mapping(kind: str, config: dict[str, Any]) -> Mapping:
    attributes = dict(DEFAULT_ATTRIBUTES[kind])
    attributes.update(config.get("attributes") or {})
    unknown = sorted(set(attributes) - set(MAPPED_FIELDS))
    if unknown:
        raise MappingError(f"attributes: unknown field(s) {', '.join(unknown)}")
    departments = {k.strip().lower(): v for k, v in (config.get("departments") or {}).items()}
    wrong = sorted(v for v in departments.values() if v not in DEPARTMENTS)
    if wrong:
        raise MappingError(f"departments: {', '.join(wrong)} is not one of {DEPARTMENTS}")
    default_department = config.get("default_department") or ""
    if default_department and default_department not in DEPARTMENTS:
        raise MappingError(f"default_department: {default_department!r} is not a department")
    default_language = config.get("default_language") or "es"
    if default_language not in LANGUAGES:
        raise MappingError(f"default_language: {default_language!r} is not one of {LANGUAGES}")
    sites = {k.strip().lower(): v.strip() for k, v in (config.get("sites") or {}).items()}
    return Mapping(attributes, departments, sites, default_department, default_language)


def resolve_department(value: str, mapping: Mapping) -> str | None:
    key = value.strip().lower()
    if key in mapping.departments:
        return mapping.departments[key]
    return normalise_department(key) or mapping.default_department or None


def resolve_language(value: str, mapping: Mapping) -> str:
    """`es-ES`, `es_ES`, `Spanish`? Only the first two letters count; others fall back."""
    code = value.strip().lower()[:2]
    return code if code in LANGUAGES else mapping.default_language


def resolve_user(user: DirectoryUser, mapping: Mapping) -> ResolvedUser | RecordProblem:
    """Map one present (not removed) record; a value that was sent must be usable. A blank
    name, department, site or language counts as not sent: we keep what we have."""
    if not user.external_id:
        return RecordProblem(user.where, "missing_id")
    email = user.email.strip().lower() if user.email is not None else None
    if email is not None and not EMAIL_RE.match(email):
        reason = "missing_email" if not email else "bad_email"
        return RecordProblem(user.where, reason, user.email or "")
    name = (user.name or "").strip() or None
    department = None
    if (user.department or "").strip():
        department = resolve_department(user.department or "", mapping)
        if department is None:
            return RecordProblem(user.where, "unknown_department", user.department or "")
    site = None
    if (user.site or "").strip():
        site = mapping.sites.get((user.site or "").strip().lower(), (user.site or "").strip())
    language = None
    if (user.language or "").strip():
        language = resolve_language(user.language or "", mapping)
    return ResolvedUser(
        user.external_id, user.where, email, name, department, site, language, user.enabled
    )


def missing_for_new_person(user: ResolvedUser, mapping: Mapping) -> RecordProblem | None:
    """A person we do not know yet needs an email, and a department (or a default)."""
    if user.email is None:
        return RecordProblem(user.where, "missing_email")
    if user.department is None and not mapping.default_department:
        return RecordProblem(user.where, "missing_department")
    return None


def department_for_new_person(user: ResolvedUser, mapping: Mapping) -> str:
    return user.department or mapping.default_department
