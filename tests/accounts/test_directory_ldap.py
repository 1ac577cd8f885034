"""Staff from LDAP against a real OpenLDAP slapd started on loopback: Active Directory-shaped
users (objectGUID, userAccountControl) and plain OpenLDAP users with a staff group."""

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
from clinicshield.accounts.core.directory import build_mapping
from clinicshield.accounts.core.directory_ldap import LdapError, LdapSettings, read_users
from clinicshield.accounts.models import AuditEntry, DirectorySource, Organisation, Person
from tests.accounts.slapd import (
    READER_DN,
    READER_PASSWORD,
    SUFFIX,
    Slapd,
    ad_user,
    person_entry,
    running_slapd,
)

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
T1 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
ANA_GUID = "0f1e2d3c-4b5a-4697-8877-66554433aa01"
BRUNO_GUID = "1f1e2d3c-4b5a-4697-8877-66554433aa02"
CARLA_GUID = "2f1e2d3c-4b5a-4697-8877-66554433aa03"
GROUP_DN = f"cn=clinicshield-staff,ou=groups,{SUFFIX}"


@pytest.fixture
def slapd(tmp_path: Path, settings: Any) -> Iterator[Slapd]:
    settings.DIRECTORY_SECRETS_DIR = tmp_path / "secrets"
    with running_slapd(tmp_path / "slapd") as server:
        yield server


def configure(org: Organisation, slapd: Slapd, name: str, **config: Any) -> DirectorySource:
    source = do_configure_directory(
        org, name, "ldap", {"url": slapd.url, "bind_dn": READER_DN, **config}, "test"
    )
    path = secret_path(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(READER_PASSWORD)
    path.chmod(0o600)
    return source


def add_ad_staff(slapd: Slapd) -> None:
    slapd.add(
        ad_user(
            "Ana Ruiz",
            ANA_GUID,
            mail="ana.ruiz@clinicasol.example",
            displayName="Ana Ruiz",
            department="Enfermería",
            physicalDeliveryOfficeName="Madrid Centro",
            preferredLanguage="es-ES",
        ),
        ad_user(
            "Bruno Diaz",
            BRUNO_GUID,
            mail="bruno.diaz@clinicasol.example",
            displayName="Bruno Díaz",
            department="Front desk",
            physicalDeliveryOfficeName="Valencia Puerto",
        ),
        ad_user(
            "Carla Gomez",
            CARLA_GUID,
            mail="carla.gomez@clinicasol.example",
            displayName="Carla Gómez",
            department="Laboratorio",
            physicalDeliveryOfficeName="Madrid Centro",
            preferredLanguage="en-GB",
        ),
        ad_user(  # disabled before we ever saw it: nobody to create
            "Dora Old",
            "3f1e2d3c-4b5a-4697-8877-66554433aa04",
            control=514,
            mail="dora@clinicasol.example",
            department="Billing",
        ),  # fmt: skip
        ad_user(  # a service account without a mailbox: reported, not imported
            "Scanner Reception", "4f1e2d3c-4b5a-4697-8877-66554433aa05", department="Reception"
        ),
    )


def test_active_directory_users_come_in_with_their_guid_as_ad_shows_it(
    org_a: Organisation, slapd: Slapd
) -> None:
    add_ad_staff(slapd)
    source = configure(org_a, slapd, "ad", base_dn=f"ou=staff,{SUFFIX}")
    result = do_sync_directory(source, "test", now=T0)
    assert result.failed == ""
    assert (result.mode, result.added, result.deactivated) == ("full", 3, 0)
    assert [(e["record"], e["reason"]) for e in result.errors] == [
        (f"cn=Scanner Reception,ou=staff,{SUFFIX}", "missing_email")
    ]
    ana = Person.objects.select_related("site").get(email="ana.ruiz@clinicasol.example")
    assert (ana.department, ana.site.name, ana.language) == ("nurse", "Madrid Centro", "es")  # type: ignore[union-attr]
    assert Person.objects.get(email="bruno.diaz@clinicasol.example").department == "reception"
    assert source.links.get(person=ana).external_id == ANA_GUID
    assert not Person.objects.filter(email="dora@clinicasol.example").exists()


def test_a_disabled_and_a_deleted_account_are_deactivated_not_deleted(
    org_a: Organisation, slapd: Slapd
) -> None:
    add_ad_staff(slapd)
    source = configure(org_a, slapd, "ad", base_dn=f"ou=staff,{SUFFIX}")
    do_sync_directory(source, "test", now=T0)
    carla_pk = Person.objects.get(email="carla.gomez@clinicasol.example").pk
    slapd.modify(
        f"cn=Bruno Diaz,ou=staff,{SUFFIX}", "replace: userAccountControl\nuserAccountControl: 514"
    )
    slapd.delete(f"cn=Carla Gomez,ou=staff,{SUFFIX}")
    slapd.modify(f"cn=Ana Ruiz,ou=staff,{SUFFIX}", "replace: department\ndepartment: IT")
    result = do_sync_directory(source, "test", now=T1)
    assert (result.added, result.updated, result.deactivated) == (0, 1, 2)
    gone = Person.objects.filter(active=False).order_by("email")
    assert [(p.email, p.left_at) for p in gone] == [
        ("bruno.diaz@clinicasol.example", T1),
        ("carla.gomez@clinicasol.example", T1),
    ]
    assert Person.objects.get(pk=carla_pk).email == "carla.gomez@clinicasol.example"
    assert Person.objects.get(email="ana.ruiz@clinicasol.example").department == "it"
    assert AuditEntry.objects.filter(
        action="directory.person_deactivated", target="carla.gomez@clinicasol.example"
    ).exists()
    # Nothing changed since: the third run changes nothing.
    again = do_sync_directory(source, "test", now=T2)
    assert (again.added, again.updated, again.deactivated, again.reactivated) == (0, 0, 0, 0)


def test_with_a_staff_group_only_its_members_are_active(org_a: Organisation, slapd: Slapd) -> None:
    slapd.add(
        person_entry("eva", "Eva Soler", mail="eva@clinicasol.example", departmentNumber="nurse"),
        person_entry("fran", "Fran Gil", mail="fran@clinicasol.example", departmentNumber="lab"),
        f"dn: {GROUP_DN}\nobjectClass: groupOfNames\ncn: clinicshield-staff\n"
        f"member: uid=eva,ou=people,{SUFFIX}\nmember: uid=fran,ou=people,{SUFFIX}\n",
    )
    source = configure(
        org_a,
        slapd,
        "openldap",
        base_dn=f"ou=people,{SUFFIX}",
        user_filter="(objectClass=inetOrgPerson)",
        staff_group=GROUP_DN,
        attributes={"name": "cn", "department": "departmentNumber"},
    )
    assert do_sync_directory(source, "test", now=T0).added == 2
    fran = Person.objects.get(email="fran@clinicasol.example")
    assert (fran.name, fran.department) == ("Fran Gil", "lab")
    assert len(source.links.get(person=fran).external_id) == 36  # OpenLDAP's entryUUID
    slapd.modify(GROUP_DN, f"delete: member\nmember: uid=fran,ou=people,{SUFFIX}")
    assert do_sync_directory(source, "test", now=T1).deactivated == 1
    assert not Person.objects.get(pk=fran.pk).active
    slapd.modify(GROUP_DN, f"add: member\nmember: uid=fran,ou=people,{SUFFIX}")
    assert do_sync_directory(source, "test", now=T2).reactivated == 1
    assert Person.objects.get(pk=fran.pk).active


def test_a_wrong_base_dn_or_password_fails_and_deactivates_nobody(
    org_a: Organisation, slapd: Slapd
) -> None:
    add_ad_staff(slapd)
    source = configure(org_a, slapd, "ad", base_dn=f"ou=staff,{SUFFIX}")
    do_sync_directory(source, "test", now=T0)
    source.config["base_dn"] = f"ou=nowhere,{SUFFIX}"
    source.save(update_fields=["config"])
    assert "noSuchObject" in do_sync_directory(source, "test", now=T1).failed
    secret_path(source).write_text("not the password")
    source.config["base_dn"] = f"ou=staff,{SUFFIX}"
    source.save(update_fields=["config"])
    assert "invalidCredentials" in do_sync_directory(source, "test", now=T1).failed
    assert Person.objects.filter(active=False).count() == 0


def test_anonymous_reading_is_refused_by_this_server(slapd: Slapd) -> None:
    """The fixture's ACL is real: without the bind password the staff cannot be read."""
    add_ad_staff(slapd)
    settings = LdapSettings(url=slapd.url, base_dn=f"ou=staff,{SUFFIX}")
    with pytest.raises(LdapError, match="noSuchObject"):  # the branch is hidden from strangers
        read_users(settings, build_mapping("ldap", {}))


def test_it_refuses_to_send_a_password_unencrypted_beyond_loopback() -> None:
    settings = LdapSettings(url="ldap://192.0.2.10", base_dn=SUFFIX, bind_dn=READER_DN)
    with pytest.raises(LdapError, match="ldaps:// or start_tls"):
        read_users(settings, build_mapping("ldap", {}))
