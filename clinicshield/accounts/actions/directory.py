"""Staff directories: configure one for an organisation, and sync the roster from it.

`do_sync_directory` reads the directory first (network, outside any transaction), then plans
and writes every change in one transaction, and stores where the next incremental round
starts (Graph's delta link). A failed read or a refused plan changes nothing and is kept in
`last_result`, so the next run starts again from the same point.
"""

import stat
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from clinicshield.lib.errors import UserError

from ..core import directory_graph, directory_ldap
from ..core.directory import DirectoryUser, MappingError, RecordProblem, build_mapping
from ..models import DirectorySource, Organisation
from .audit import audit
from .directory_apply import Planner, leavers_refused, write_plan

COMMON_KEYS = {
    "attributes",
    "departments",
    "sites",
    "default_department",
    "default_language",
    "max_leavers_percent",
}
KIND_KEYS = {
    "graph": {"tenant_id", "client_id", "graph_url", "token_url", "timeout_s"},
    "ldap": set(directory_ldap.LdapSettings.__dataclass_fields__) - {"bind_password"},
}
REQUIRED_KEYS = {"graph": ("tenant_id", "client_id"), "ldap": ("url", "base_dn")}
SECRET_WORDS = ("password", "secret", "token")
KEPT_PROBLEMS = 200


@dataclass
class SyncResult:
    source: str
    kind: str
    mode: str = ""  # "full" (everyone listed) or "delta" (changes since the last round)
    added: int = 0
    updated: int = 0
    reactivated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    failed: str = ""  # why nothing was written, when nothing was

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_config(kind: str, config: dict[str, Any]) -> None:
    """Refuse a configuration that cannot work, naming the key; and any secret in it."""
    if kind not in KIND_KEYS:
        raise UserError("directory_kind", _("The kind must be graph or ldap."))
    unknown = sorted(set(config) - COMMON_KEYS - KIND_KEYS[kind])
    for key in unknown:
        if any(word in key.lower() for word in SECRET_WORDS):
            raise UserError(
                "directory_secret_in_config",
                _("%(key)s looks like a secret: put it in the secret file, not the settings.")
                % {"key": key},
            )
    if unknown:
        raise UserError(
            "directory_unknown_key",
            _("Unknown setting(s) for %(kind)s: %(keys)s.")
            % {"kind": kind, "keys": ", ".join(unknown)},
        )
    missing = [key for key in REQUIRED_KEYS[kind] if not str(config.get(key) or "").strip()]
    if missing:
        raise UserError(
            "directory_missing_key",
            _("Missing setting(s): %(keys)s.") % {"keys": ", ".join(missing)},
        )
    try:
        build_mapping(kind, config)
    except MappingError as error:
        raise UserError("directory_mapping", str(error)) from None


def do_configure_directory(
    org: Organisation,
    name: str,
    kind: str,
    config: dict[str, Any],
    actor: Any,
    sync_every_minutes: int | None = None,
) -> DirectorySource:
    """Create or replace a directory's settings. A changed scope starts a full round."""
    check_config(kind, config)
    with transaction.atomic():
        source, created = DirectorySource.objects.get_or_create(
            organisation=org, name=name, defaults={"kind": kind, "config": config}
        )
        if not created:
            source.kind, source.config, source.delta_link = kind, config, ""
        if sync_every_minutes is not None:
            source.sync_every_minutes = max(5, sync_every_minutes)
        source.save()
        audit(org, actor, "directory.configure", name, kind=kind, created=created)
    return source


def secret_path(source: DirectorySource) -> Path:
    return Path(settings.DIRECTORY_SECRETS_DIR) / f"{source.organisation.slug}.{source.name}"


def read_secret(source: DirectorySource, required: bool) -> str:
    """The client secret or bind password, from its own file (mode 0600 or 0400)."""
    path = secret_path(source)
    if not path.exists():
        if not required:
            return ""
        raise UserError(
            "directory_secret_missing",
            _("The secret file %(path)s does not exist.") % {"path": str(path)},
        )
    if path.stat().st_mode & stat.S_IROTH:
        raise UserError(
            "directory_secret_readable",
            _("The secret file %(path)s can be read by any user: chmod 600 it.")
            % {"path": str(path)},
        )
    return path.read_text(encoding="utf-8").strip()


def read_directory(source: DirectorySource) -> tuple[list[DirectoryUser], bool, str]:
    """(users, full round?, next delta link) from the directory; raises on failure."""
    mapping = build_mapping(source.kind, source.config)
    if source.kind == "graph":
        keys = ("tenant_id", "client_id", "graph_url", "token_url", "timeout_s")
        graph = directory_graph.GraphSettings(
            client_secret=read_secret(source, required=True),
            **{k: source.config[k] for k in keys if k in source.config},
        )
        try:
            round_ = directory_graph.read_round(graph, mapping, source.delta_link)
        except directory_graph.DeltaExpired:
            round_ = directory_graph.read_round(graph, mapping, "")
        return round_.users, round_.full, round_.delta_link
    bind_dn = str(source.config.get("bind_dn") or "")
    password = read_secret(source, required=bool(bind_dn))
    ldap = directory_ldap.settings_from_config(source.config, password)
    return directory_ldap.read_users(ldap, mapping), True, ""


def do_sync_directory(
    source: DirectorySource, actor: Any, *, now: datetime, accept_leavers: bool = False
) -> SyncResult:
    result = SyncResult(source=source.name, kind=source.kind)
    try:
        users, full, delta_link = read_directory(source)
    except (UserError, MappingError) as error:
        return _failed(source, result, str(getattr(error, "message", error)), now, actor)
    except (directory_graph.GraphError, directory_ldap.LdapError) as error:
        return _failed(source, result, str(error), now, actor)
    result.mode = "full" if full else "delta"
    with transaction.atomic():
        plan = Planner(source, build_mapping(source.kind, source.config), now).run(users, full)
        result.errors = [_problem(p) for p in plan.problems]
        refusal = "" if accept_leavers else leavers_refused(plan, source)
        if refusal:
            return _failed(source, result, refusal, now, actor)
        write_plan(plan, source, now, actor)
        result.added, result.updated = len(plan.creates), len(plan.updates)
        result.reactivated, result.deactivated = len(plan.reactivations), len(plan.deactivations)
        result.unchanged = plan.unchanged
        source.delta_link = delta_link
        source.last_sync_at = now
        if full:
            source.last_full_sync_at = now
        _keep_result(source, result)
        source.save(
            update_fields=["delta_link", "last_sync_at", "last_full_sync_at", "last_result"]
        )
        counts = {k: v for k, v in result.as_dict().items() if isinstance(v, int)}
        audit(
            source.organisation,
            actor,
            "directory.sync",
            source.name,
            mode=result.mode,
            errors=len(result.errors),
            **counts,
        )
    return result


def _problem(problem: RecordProblem) -> dict[str, str]:
    return {"record": problem.where, "reason": problem.reason, "value": problem.value}


def _keep_result(source: DirectorySource, result: SyncResult) -> None:
    kept = result.as_dict()
    kept["errors"] = result.errors[:KEPT_PROBLEMS]
    kept["error_count"] = len(result.errors)
    source.last_result = kept


def _failed(
    source: DirectorySource, result: SyncResult, reason: str, now: datetime, actor: Any
) -> SyncResult:
    """Nothing is written; the attempt is remembered (the next one is at the usual time)."""
    result.failed = reason
    with transaction.atomic():
        source.last_sync_at = now
        _keep_result(source, result)
        source.save(update_fields=["last_sync_at", "last_result"])
        audit(source.organisation, actor, "directory.sync_failed", source.name, reason=reason)
    return result
