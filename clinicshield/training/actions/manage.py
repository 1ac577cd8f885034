"""What managers change: pass marks and the organisation's own modules."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import audit
from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core.content import KEY_PATTERN, ROLE_TAGS, Problem
from ..models import CustomModule, ModuleSetting
from ..queries import catalogue, parse_custom, shipped_library


def do_set_pass_mark(org: Organisation, module_key: str, pass_mark: int, actor: Any) -> None:
    if module_key not in catalogue(org):
        raise UserError("unknown_module", _("There is no such training module."), 404)
    if not 1 <= pass_mark <= 100:
        raise UserError("bad_pass_mark", _("A pass mark is a percentage from 1 to 100."))
    with transaction.atomic():
        custom = CustomModule.objects.filter(organisation=org, key=module_key).first()
        if custom is not None:
            custom.pass_mark = pass_mark
            custom.save(update_fields=["pass_mark", "updated_at"])
        else:
            ModuleSetting.objects.update_or_create(
                organisation=org, module_key=module_key, defaults={"pass_mark": pass_mark}
            )
        audit(org, actor, "training.pass_mark", module_key, pass_mark=pass_mark)


def do_set_module_enabled(org: Organisation, module_key: str, enabled: bool, actor: Any) -> None:
    """Switch a module on or off for this organisation's staff (assignments already made
    stay, so people can finish them and the history is kept)."""
    if module_key not in catalogue(org):
        raise UserError("unknown_module", _("There is no such training module."), 404)
    with transaction.atomic():
        ModuleSetting.objects.update_or_create(
            organisation=org, module_key=module_key, defaults={"enabled": enabled}
        )
        audit(org, actor, "training.module_enabled", module_key, enabled=enabled)


def do_save_custom_module(
    org: Organisation, fields: dict[str, Any], actor: Any, existing: CustomModule | None = None
) -> tuple[CustomModule | None, list[Problem]]:
    """Create or update a custom module. Nothing is saved while it has problems; the text the
    manager typed comes back with the problems so nothing they wrote is lost."""
    key = str(fields.get("key", "")).strip()
    problems: list[Problem] = []
    if existing is None:
        if not KEY_PATTERN.match(key):
            problems.append(Problem("module_bad_key", "key", {"key": key}))
        elif (
            key in shipped_library().modules
            or CustomModule.objects.filter(organisation=org, key=key).exists()
        ):
            problems.append(Problem("module_key_taken", "key", {"key": key}))
    roles = [r for r in fields.get("roles", []) if r]
    if not roles or not set(roles) <= ROLE_TAGS:
        problems.append(Problem("module_bad_roles", "roles", {"allowed": sorted(ROLE_TAGS)}))
    custom = existing or CustomModule(organisation=org, key=key)
    custom.roles = roles
    custom.pass_mark = int(fields.get("pass_mark") or 80)
    custom.minutes = int(fields.get("minutes") or 5)
    # Out of range would fail the database's CHECK (a 500) or, above 100, never be reached.
    if not 1 <= custom.pass_mark <= 100:
        problems.append(Problem("module_bad_pass_mark", "pass_mark"))
    if custom.minutes < 1:
        problems.append(Problem("module_bad_minutes", "minutes"))
    for name in ("lesson_en", "lesson_es", "quiz_en", "quiz_es"):
        setattr(custom, name, str(fields.get(name, "")).replace("\r\n", "\n"))
    _module, found = parse_custom(custom)
    problems += found
    if problems:
        return None, problems
    with transaction.atomic():
        custom.save()
        audit(org, actor, "training.custom_module", custom.key)
    return custom, []
