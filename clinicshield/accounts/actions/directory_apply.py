"""Apply what a directory says to the staff roster: plan every change, then write them.

People are matched by the directory's immutable id (a `DirectoryLink`), else by email (a
person imported from CSV before the directory was connected becomes linked). Leavers are
deactivated (`active=False`, `left_at`), never deleted: their training records, simulation
results and audit trail stay. Every change is written to the audit log with what it was
before. A plan that would deactivate an unusual share of the staff is refused as a whole:
that is what a wrong filter or base DN looks like.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .. import words
from ..core.directory import (
    DirectoryUser,
    Mapping,
    RecordProblem,
    ResolvedUser,
    department_for_new_person,
    missing_for_new_person,
    resolve_user,
)
from ..models import AuditEntry, DirectoryLink, DirectorySource, Person, Site
from .audit import actor_name
from .organisations import do_create_site

UPDATABLE = ("email", "name", "department", "site", "language")
MIN_LEAVERS_REFUSED = 5  # a small clinic losing three people at once is no anomaly


@dataclass
class Plan:
    creates: list[tuple[ResolvedUser, Person]] = field(default_factory=list)
    updates: list[tuple[Person, dict[str, tuple[Any, Any]]]] = field(default_factory=list)
    deactivations: list[Person] = field(default_factory=list)
    reactivations: list[Person] = field(default_factory=list)
    new_links: list[DirectoryLink] = field(default_factory=list)
    new_sites: dict[str, Site] = field(default_factory=dict)  # unsaved until written
    changed_links: list[DirectoryLink] = field(default_factory=list)
    unchanged: int = 0
    problems: list[RecordProblem] = field(default_factory=list)


def merge_records(users: list[DirectoryUser]) -> list[DirectoryUser]:
    """Graph may list one user several times in a round: later values win, unsent ones don't
    erase earlier ones, and a removal followed by an update is a restore."""
    merged: dict[str, DirectoryUser] = {}
    for user in users:
        earlier = merged.get(user.external_id)
        if earlier is None or user.removed:
            merged[user.external_id] = user
            continue
        sent = {k: v for k, v in vars(user).items() if v is not None}
        merged[user.external_id] = replace(earlier, **{**sent, "removed": False})
    return list(merged.values())


class Planner:
    def __init__(self, source: DirectorySource, mapping: Mapping, now: datetime) -> None:
        self.source, self.mapping, self.now = source, mapping, now
        org = source.organisation
        links = source.links.select_related("person__site")
        self.links = {link.external_id: link for link in links}
        self.people = {p.email.lower(): p for p in org.people.select_related("site")}
        for link in self.links.values():  # one object per person, whichever way it is found
            self.people[link.person.email.lower()] = link.person
        self.linked_people = {link.person_id for link in self.links.values()}
        self.sites = {site.name: site for site in org.sites.all()}
        self.plan = Plan()
        self.claimed_emails: set[str] = set()

    def run(self, users: list[DirectoryUser], full: bool) -> Plan:
        seen = set()
        for user in merge_records(users):
            seen.add(user.external_id)
            if user.removed:
                self.leave(self.links.get(user.external_id))
            else:
                self.present(user)
        if full:  # everyone still in the directory was listed: the others have gone
            for external_id, link in self.links.items():
                if external_id not in seen:
                    self.leave(link)
        return self.plan

    def leave(self, link: DirectoryLink | None) -> None:
        if link is None:
            return  # never known here: nothing to undo
        changed = False
        if link.directory_enabled:
            link.directory_enabled = False
            self.plan.changed_links.append(link)
            changed = True
        if link.person.active:
            self.plan.deactivations.append(link.person)
        elif not changed:
            self.plan.unchanged += 1

    def present(self, user: DirectoryUser) -> None:
        resolved = resolve_user(user, self.mapping)
        if isinstance(resolved, RecordProblem):
            self.plan.problems.append(resolved)
            if user.enabled is False:
                self.leave(self.links.get(user.external_id))
            return
        link = self.links.get(user.external_id)
        person = link.person if link else self.match_by_email(resolved)
        if isinstance(person, RecordProblem):
            self.plan.problems.append(person)
            return
        if resolved.enabled is False:
            if link is None and person is None:
                self.plan.unchanged += 1  # a disabled account we never knew: nothing to do
                return
            if link is None and person is not None:
                link = self.link(person, resolved, enabled=True)
            self.leave(link)
            return
        if person is None:
            self.create(resolved)
            return
        if link is None:
            link = self.link(person, resolved, enabled=True)
            if not person.active:
                self.plan.reactivations.append(person)
        elif resolved.enabled and not link.directory_enabled:
            link.directory_enabled = True
            self.plan.changed_links.append(link)
            if not person.active:
                self.plan.reactivations.append(person)
        self.update(person, resolved)

    def match_by_email(self, user: ResolvedUser) -> Person | RecordProblem | None:
        if user.email is None:
            return None
        if user.email in self.claimed_emails:
            return RecordProblem(user.where, "duplicate_email", user.email)
        self.claimed_emails.add(user.email)
        person = self.people.get(user.email)
        if person is not None and person.pk in self.linked_people:
            return RecordProblem(user.where, "email_taken", user.email)
        return person

    def link(self, person: Person, user: ResolvedUser, enabled: bool) -> DirectoryLink:
        link = DirectoryLink(
            source=self.source,
            person=person,
            external_id=user.external_id,
            directory_enabled=enabled,
            seen_at=self.now,
        )
        self.links[user.external_id] = link
        self.linked_people.add(person.pk)
        self.plan.new_links.append(link)
        return link

    def create(self, user: ResolvedUser) -> None:
        problem = missing_for_new_person(user, self.mapping)
        if problem is not None:
            self.plan.problems.append(problem)
            return
        assert user.email is not None
        person = Person(
            organisation=self.source.organisation,
            email=user.email,
            name=user.name or user.email,
            department=department_for_new_person(user, self.mapping),
            language=user.language or self.mapping.default_language,
            site=self.site(user.site),
        )
        self.plan.creates.append((user, person))

    def update(self, person: Person, user: ResolvedUser) -> None:
        wanted = {
            "email": user.email,
            "name": user.name,
            "department": user.department,
            "language": user.language,
            "site": self.site(user.site) if user.site is not None else None,
        }
        changes = {}
        for key, value in wanted.items():
            if value is not None and getattr(person, key) != value:
                changes[key] = (getattr(person, key), value)
        if "email" in changes:
            owner = self.people.get(str(user.email))
            if owner is not None and owner.pk != person.pk:
                self.plan.problems.append(RecordProblem(user.where, "email_taken", str(user.email)))
                return
        if changes:
            self.plan.updates.append((person, changes))
        elif person not in self.plan.reactivations:
            self.plan.unchanged += 1

    def site(self, name: str | None) -> Site | None:
        if not name:
            return None
        if name not in self.sites:
            # A placeholder until the plan is accepted; created for real when it is written.
            self.sites[name] = Site(organisation=self.source.organisation, name=name)
            self.plan.new_sites[name] = self.sites[name]
        return self.sites[name]


def leavers_refused(plan: Plan, source: DirectorySource) -> str:
    """Why the plan is refused, or "" when its leavers look like ordinary turnover."""
    limit_percent = int(source.config.get("max_leavers_percent", 10))
    active = source.organisation.people.filter(active=True).count()
    allowed = max(MIN_LEAVERS_REFUSED, active * limit_percent // 100)
    leaving = len(plan.deactivations)
    if leaving <= allowed:
        return ""
    return words.leavers_refused(leaving, active, limit_percent)


def write_plan(plan: Plan, source: DirectorySource, now: datetime, actor: Any) -> None:
    """Write every planned change and its audit entries (the caller holds the transaction)."""
    org = source.organisation
    real_sites = {name: do_create_site(org, name, actor) for name in plan.new_sites}

    def saved(site: Any) -> Any:
        return real_sites[site.name] if isinstance(site, Site) and site.pk is None else site

    for _user, person in plan.creates:
        person.site = saved(person.site)
    for _person, changes in plan.updates:
        if "site" in changes:
            changes["site"] = (changes["site"][0], saved(changes["site"][1]))
    created = Person.objects.bulk_create([person for _user, person in plan.creates])
    plan.new_links += [
        DirectoryLink(source=source, person=person, external_id=user.external_id, seen_at=now)
        for (user, _), person in zip(plan.creates, created, strict=True)
    ]
    entries = [entry(org, actor, "directory.person_added", p, source) for p in created]
    for person, changes in plan.updates:
        for key, (_old, new) in changes.items():
            setattr(person, key, new)
        person.save(update_fields=list(changes))
        shown = {k: [str(old or ""), str(new or "")] for k, (old, new) in changes.items()}
        entries.append(entry(org, actor, "directory.person_updated", person, source, shown))
    for person in plan.deactivations:
        person.active, person.left_at = False, now
        person.save(update_fields=["active", "left_at"])
        entries.append(entry(org, actor, "directory.person_deactivated", person, source))
    for person in plan.reactivations:
        person.active, person.left_at = True, None
        person.save(update_fields=["active", "left_at"])
        entries.append(entry(org, actor, "directory.person_reactivated", person, source))
    DirectoryLink.objects.bulk_create(plan.new_links)
    for link in plan.changed_links:
        if link.pk is not None:
            link.save(update_fields=["directory_enabled"])
    AuditEntry.objects.bulk_create(entries)


def entry(
    org: Any, actor: Any, action: str, person: Person, source: DirectorySource, changes: Any = None
) -> AuditEntry:
    details: dict[str, Any] = {"source": source.name}
    if changes:
        details["changes"] = changes
    user = actor if getattr(actor, "pk", None) and hasattr(actor, "username") else None
    return AuditEntry(
        organisation=org,
        user=user,
        actor=actor_name(actor),
        action=action,
        target=person.email,
        details=details,
    )
