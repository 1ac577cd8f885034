"""Staff from Microsoft Entra ID: a full round, then delta rounds, against a real HTTP server
on loopback answering with recorded-shape Graph pages (tests/accounts/fixtures/graph/)."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from clinicshield.accounts.actions.directory import (
    do_configure_directory,
    do_sync_directory,
    secret_path,
)
from clinicshield.accounts.models import AuditEntry, DirectorySource, Organisation, Person
from tests.accounts.graph_server import CLIENT_SECRET, FakeGraph, fake_graph

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
T1 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def graph(settings: Any, tmp_path: Path) -> Iterator[FakeGraph]:
    settings.DIRECTORY_SECRETS_DIR = tmp_path / "secrets"
    with fake_graph() as fake:
        yield fake


def configure(org: Organisation, graph: FakeGraph, **config: Any) -> DirectorySource:
    source = do_configure_directory(
        org, "entra", "graph", graph.config(sites={"Bilbao Abando": "Bilbao"}, **config), "test"
    )
    path = secret_path(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CLIENT_SECRET + "\n")
    path.chmod(0o600)
    return source


def person(org: Organisation, email: str) -> Person:
    return Person.objects.select_related("site").get(organisation=org, email=email)


def test_the_first_sync_reads_everyone_and_reports_the_records_it_cannot_use(
    org_a: Organisation, graph: FakeGraph
) -> None:
    source = configure(org_a, graph)
    result = do_sync_directory(source, "test", now=T0)
    assert result.failed == ""
    assert (result.mode, result.added, result.updated, result.deactivated) == ("full", 5, 0, 0)
    ana = person(org_a, "ana.ruiz@clinicasol.example")  # the directory's capitals are folded
    assert (ana.name, ana.department, ana.site.name, ana.language) == (  # type: ignore[union-attr]
        "Ana Ruiz",
        "nurse",
        "Madrid Centro",
        "es",
    )
    assert person(org_a, "carla.gomez@clinicasol.example").language == "en"
    assert person(org_a, "david.perez@clinicasol.example").language == "es"  # no preference
    assert person(org_a, "elena.martin@clinicasol.example").department == "management"
    assert {(e["reason"], e["value"]) for e in result.errors} == {
        ("missing_email", ""),
        ("unknown_department", "Voluntariado"),
    }
    assert {e["record"] for e in result.errors} == {
        "user 5c9bcf6d-a0de-4b7d-8fb6-8e7adcdb6b06",
        "user 6dacd07e-b1ef-4c8e-9ac7-9f8bedec7c07",
    }
    # A disabled account we never knew is not created as a leaver.
    assert not Person.objects.filter(email="gloria.vidal@clinicasol.example").exists()
    source.refresh_from_db()
    assert source.delta_link == f"{graph.base}/users/delta?$deltatoken=after-full"
    assert source.last_full_sync_at == T0
    token_request = next(r for r in graph.requests if r[0] == "POST")
    assert f"client_secret={CLIENT_SECRET}" in token_request[3]
    first_page = next(r for r in graph.requests if r[0] == "GET")
    assert "$select=accountEnabled,department,displayName,id,mail" in first_page[1]


def test_a_delta_round_updates_deactivates_and_adds_and_keeps_history(
    org_a: Organisation, graph: FakeGraph
) -> None:
    source = configure(org_a, graph)
    do_sync_directory(source, "test", now=T0)
    carla = person(org_a, "carla.gomez@clinicasol.example")
    result = do_sync_directory(source, "test", now=T1)
    assert result.failed == ""
    assert (result.mode, result.added, result.updated, result.deactivated) == ("delta", 1, 2, 3)
    bruno = person(org_a, "bruno.diaz@clinicasol.example")
    # A partial update changes what it carries and keeps the rest.
    assert (bruno.department, bruno.site.name, bruno.name) == (  # type: ignore[union-attr]
        "billing",
        "Valencia Puerto",
        "Bruno Díaz",
    )
    ana = person(org_a, "ana.ruiz@clinicasol.example")  # listed twice: both changes kept
    assert (ana.name, ana.site.name) == ("Ana Ruiz López", "Valencia Puerto")  # type: ignore[union-attr]
    leavers = Person.objects.filter(organisation=org_a, active=False).order_by("email")
    assert [(p.email, p.left_at) for p in leavers] == [
        ("carla.gomez@clinicasol.example", T1),
        ("david.perez@clinicasol.example", T1),
        ("elena.martin@clinicasol.example", T1),
    ]
    assert person(org_a, "carla.gomez@clinicasol.example").pk == carla.pk  # never deleted
    hugo = person(org_a, "hugo.navarro@clinicasol.example")
    assert hugo.site.name == "Bilbao"  # type: ignore[union-attr]  # through the sites mapping
    audit = AuditEntry.objects.filter(organisation=org_a, at__isnull=False)
    updated = audit.get(action="directory.person_updated", target="bruno.diaz@clinicasol.example")
    assert updated.details["changes"] == {"department": ["reception", "billing"]}
    deactivated = set(
        audit.filter(action="directory.person_deactivated").values_list("target", flat=True)
    )
    assert deactivated == {p.email for p in leavers}


def test_running_again_with_nothing_new_changes_nothing(
    org_a: Organisation, graph: FakeGraph
) -> None:
    source = configure(org_a, graph)
    do_sync_directory(source, "test", now=T0)
    people_before = list(Person.objects.order_by("pk").values())
    audit_before = AuditEntry.objects.exclude(action="directory.sync").count()
    # The whole directory read again from scratch: the same people, nothing to change.
    DirectorySource.objects.filter(pk=source.pk).update(delta_link="")
    source.refresh_from_db()
    again = do_sync_directory(source, "test", now=T1)
    assert (again.mode, again.added, again.updated, again.deactivated) == ("full", 0, 0, 0)
    assert again.unchanged == 6  # five people, and the disabled account we never knew
    assert len(again.errors) == 2  # the bad records are still reported, every time
    assert list(Person.objects.order_by("pk").values()) == people_before
    assert AuditEntry.objects.exclude(action="directory.sync").count() == audit_before
    # A delta round with no changes in it (after delta-1) changes nothing either.
    do_sync_directory(source, "test", now=T1)
    people_before = list(Person.objects.order_by("pk").values())
    quiet = do_sync_directory(source, "test", now=T2)
    assert (quiet.mode, quiet.added, quiet.updated, quiet.deactivated) == ("delta", 0, 0, 0)
    assert list(Person.objects.order_by("pk").values()) == people_before


def test_an_account_enabled_again_comes_back_as_the_same_person(
    org_a: Organisation, graph: FakeGraph
) -> None:
    source = configure(org_a, graph)
    for moment in (T0, T1, T2):
        do_sync_directory(source, "test", now=moment)
    result = do_sync_directory(source, "test", now=datetime(2027, 3, 1, 11, 0, tzinfo=UTC))
    assert result.reactivated == 1
    carla = person(org_a, "carla.gomez@clinicasol.example")
    assert (carla.active, carla.left_at) == (True, None)
    assert Person.objects.filter(email="carla.gomez@clinicasol.example").count() == 1


def test_an_expired_delta_link_starts_a_full_round_and_its_absentees_leave(
    org_a: Organisation, graph: FakeGraph
) -> None:
    source = configure(org_a, graph, max_leavers_percent=50)
    do_sync_directory(source, "test", now=T0)
    graph.expired.add("after-full")
    graph.extra_pages["only-ana"] = {
        "@odata.deltaLink": f"{graph.base}/users/delta?$deltatoken=after-resync",
        "value": [graph.page("full-1")["value"][0]],
    }
    graph.routes[""] = "only-ana"
    result = do_sync_directory(source, "test", now=T1)
    assert result.failed == ""
    assert (result.mode, result.deactivated, result.unchanged) == ("full", 4, 1)
    assert list(Person.objects.filter(active=True).values_list("email", flat=True)) == [
        "ana.ruiz@clinicasol.example"
    ]


def test_a_sync_that_would_deactivate_too_many_is_refused_whole(
    org_a: Organisation, graph: FakeGraph
) -> None:
    for number in range(40):
        Person.objects.create(
            organisation=org_a, name=f"P{number}", email=f"p{number}@a.example", department="lab"
        )
    source = configure(org_a, graph, default_department="lab")
    graph.extra_pages["forty"] = {
        "@odata.deltaLink": f"{graph.base}/users/delta?$deltatoken=after-full",
        "value": [
            {
                "id": f"id-{n}",
                "mail": f"p{n}@a.example",
                "displayName": f"P{n}",
                "accountEnabled": True,
            }
            for n in range(40)
        ],
    }
    graph.routes[""] = "forty"
    assert do_sync_directory(source, "test", now=T0).failed == ""
    graph.extra_pages["gone"] = {
        "@odata.deltaLink": f"{graph.base}/users/delta?$deltatoken=after-gone",
        "value": [{"id": f"id-{n}", "@removed": {"reason": "deleted"}} for n in range(10)],
    }
    graph.routes["after-full"] = "gone"
    refused = do_sync_directory(source, "test", now=T1)
    assert "would deactivate 10 of 40 active people" in refused.failed
    assert Person.objects.filter(active=False).count() == 0
    source.refresh_from_db()
    assert source.delta_link.endswith("after-full")  # the same round is read again next time
    assert source.last_result["failed"] == refused.failed
    accepted = do_sync_directory(source, "test", now=T1, accept_leavers=True)
    assert (accepted.failed, accepted.deactivated) == ("", 10)


def test_it_waits_when_graph_throttles_and_goes_on(org_a: Organisation, graph: FakeGraph) -> None:
    source = configure(org_a, graph)
    graph.throttle_once.add("full-page-2")
    result = do_sync_directory(source, "test", now=T0)
    assert (result.failed, result.added) == ("", 5)
    assert sum("full-page-2" in r[1] for r in graph.requests) == 2


def test_the_token_never_follows_a_link_to_another_address(
    org_a: Organisation, graph: FakeGraph
) -> None:
    source = configure(org_a, graph)
    graph.extra_pages["elsewhere"] = {
        "@odata.nextLink": "https://graph.example.net/v1.0/users/delta?$skiptoken=x",
        "value": [],
    }
    graph.routes[""] = "elsewhere"
    result = do_sync_directory(source, "test", now=T0)
    assert "another address" in result.failed
    assert Person.objects.filter(organisation=org_a).count() == 0


def test_a_missing_or_wrong_secret_fails_with_a_clear_reason_and_writes_nothing(
    org_a: Organisation, graph: FakeGraph
) -> None:
    source = configure(org_a, graph)
    path = secret_path(source)
    path.chmod(0o644)
    assert "can be read by any user" in do_sync_directory(source, "test", now=T0).failed
    path.write_text("wrong")
    path.chmod(0o600)
    failed = do_sync_directory(source, "test", now=T0).failed
    assert "HTTP 401" in failed and "invalid_client" in failed
    os.remove(path)
    assert "does not exist" in do_sync_directory(source, "test", now=T0).failed
    assert Person.objects.filter(organisation=org_a).count() == 0
    assert AuditEntry.objects.filter(action="directory.sync_failed").count() == 3


def test_it_touches_only_its_own_organisation(
    org_a: Organisation, org_b: Organisation, graph: FakeGraph
) -> None:
    other = Person.objects.create(
        organisation=org_b, name="Ana B", email="ana.ruiz@clinicasol.example", department="it"
    )
    source = configure(org_a, graph)
    do_sync_directory(source, "test", now=T0)
    do_sync_directory(source, "test", now=T1)
    other.refresh_from_db()
    assert (other.name, other.department, other.active) == ("Ana B", "it", True)
    assert Person.objects.filter(organisation=org_a, email=other.email).exists()


def test_someone_imported_from_csv_is_linked_by_email_not_duplicated(
    org_a: Organisation, graph: FakeGraph
) -> None:
    before = Person.objects.create(
        organisation=org_a,
        name="Ana",
        email="ana.ruiz@clinicasol.example",
        department="reception",
        active=False,
    )
    source = configure(org_a, graph)
    result = do_sync_directory(source, "test", now=T0)
    assert (result.added, result.reactivated) == (4, 1)
    ana = person(org_a, "ana.ruiz@clinicasol.example")
    assert (ana.pk, ana.department, ana.active) == (before.pk, "nurse", True)
    assert source.links.get(person=ana).external_id == "0d4c7a1e-5b8f-4c2e-9a61-3f2b8e7d1c01"
