from typing import Any

from clinicshield.accounts.actions import do_import_staff
from clinicshield.accounts.models import AuditEntry, Organisation, Person
from clinicshield.accounts.queries import export_staff_csv

ROSTER = """name,email,department,site,language
Ana García,ana@a.example,reception,Madrid,es
Tom Reed,tom@a.example,clinician,Toledo,en
Broken Row,broken,lab,Madrid,es
"""


def test_it_imports_good_rows_creates_sites_and_reports_bad_lines(org_a: Organisation) -> None:
    result = do_import_staff(org_a, ROSTER, "test")
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert [(p.line, p.reason) for p in result.problems] == [(4, "bad_email")]
    tom = Person.objects.get(organisation=org_a, email="tom@a.example")
    assert tom.site is not None and tom.site.name == "Toledo"
    assert AuditEntry.objects.filter(organisation=org_a, action="staff.import").count() == 1


def test_importing_the_same_file_twice_changes_nothing(org_a: Organisation) -> None:
    do_import_staff(org_a, ROSTER, "test")
    again = do_import_staff(org_a, ROSTER, "test")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Person.objects.filter(organisation=org_a).count() == 2


def test_it_updates_by_email(org_a: Organisation) -> None:
    do_import_staff(org_a, ROSTER, "test")
    result = do_import_staff(
        org_a, "name,email,department,site,language\nAna G.,ANA@a.example,billing,Madrid,en\n", "t"
    )
    assert result.updated == 1
    ana = Person.objects.get(organisation=org_a, email="ana@a.example")
    assert (ana.name, ana.department, ana.language) == ("Ana G.", "billing", "en")


def test_export_round_trips(org_a: Organisation, org_b: Organisation) -> None:
    do_import_staff(org_a, ROSTER, "test")
    exported = export_staff_csv(org_a)
    result = do_import_staff(org_b, exported, "test")
    assert result.created == 2 and not result.problems
    assert "ana@a.example,reception,Madrid,es" in exported


def test_upload_page_reports_line_numbers(client_alice: Any, org_a: Organisation) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("staff.csv", ROSTER.encode(), content_type="text/csv")
    response = client_alice.post("/o/clinic-a/people/import/", {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "bad_email" in page and "<td>4</td>" in page
    assert Person.objects.filter(organisation=org_a).count() == 2
