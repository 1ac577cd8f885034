"""The staff roster: import from CSV (upsert by email, idempotent), leavers."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from ..core.roster import RowProblem, parse_roster
from ..models import Organisation, Person
from .audit import audit
from .organisations import do_create_site


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing_columns


def do_import_staff(org: Organisation, text: str, actor: Any) -> ImportResult:
    """Upsert every good row by email; every bad row is reported and the rest still go in."""
    roster = parse_roster(text)
    result = ImportResult(problems=roster.problems, missing_columns=roster.missing_columns)
    if roster.missing_columns:
        return result
    with transaction.atomic():
        sites = {site.name: site for site in org.sites.all()}
        existing = {p.email: p for p in org.people.all()}
        for row in roster.rows:
            site = sites.get(row.site)
            if site is None:
                site = sites[row.site] = do_create_site(org, row.site, actor)
            wanted = {
                "name": row.name,
                "department": row.department,
                "language": row.language,
                "site": site,
                "active": True,
            }
            person = existing.get(row.email)
            if person is None:
                Person.objects.create(organisation=org, email=row.email, **wanted)
                result.created += 1
                continue
            changed = [k for k, v in wanted.items() if getattr(person, k) != v]
            if changed:
                for key in changed:
                    setattr(person, key, wanted[key])
                if "active" in changed:
                    person.left_at = None
                    changed.append("left_at")
                person.save(update_fields=changed)
                result.updated += 1
            else:
                result.unchanged += 1
        audit(
            org,
            actor,
            "staff.import",
            f"{len(roster.rows)} rows",
            created=result.created,
            updated=result.updated,
            problems=len(result.problems),
        )
    return result


def do_mark_left(person: Person, actor: Any, when: Any) -> None:
    with transaction.atomic():
        person.active = False
        person.left_at = when
        person.save(update_fields=["active", "left_at"])
        audit(person.organisation, actor, "staff.left", person.email)
