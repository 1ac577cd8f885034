"""The dashboard page, the monthly report PDF and the evidence pack, as owners and strangers."""

import io
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinicshield.dashboard.actions import do_record_scores
from tests.dashboard.builders import seed_known
from tests.system import need_program

URLS = ["/o/clinic-a/dashboard/", "/o/clinic-a/dashboard/report.pdf",
        "/o/clinic-a/dashboard/evidence.zip"]  # fmt: skip


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    pdftotext = need_program("pdftotext", "poppler-utils")
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("url", URLS)
def test_charlie_gets_404_on_organisation_a(client_charlie: Client, alice: Any, url: str) -> None:
    assert client_charlie.get(url).status_code == 404


def seed_november_closed(org: Any) -> None:
    """The known data, and the score the daily job kept on 30 November: a report of November
    reads that score, whatever the date it is asked for."""
    seed_known(org)
    do_record_scores(org, datetime.fromisoformat("2026-11-30T20:00:00+00:00"))


def test_it_shows_score_actions_counters_and_sites(client_alice: Client, org_a: Any) -> None:
    seed_known(org_a, now=timezone.now())  # the page measures at the real clock
    response = client_alice.get("/o/clinic-a/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="score-total"' in html
    assert "Close ms-wbt-server (port 3389) on 10.1.2.20 at Toledo" in html
    assert "/o/clinic-a/exposure/hosts/10.1.2.20/" in html
    assert "/o/clinic-a/exposure/segmentation/" in html
    assert "<svg" in html and "Security score over the last 90 days" in html
    assert "Get 6 people without current training trained" in html
    assert "Toledo" in html and "Madrid" in html
    assert "Not set up" in html  # monitoring


def test_a_viewer_sees_the_dashboard_too(client_bob: Client) -> None:
    assert client_bob.get("/o/clinic-a/dashboard/").status_code == 200


def test_it_speaks_spanish(client_alice: Client, org_a: Any) -> None:
    seed_known(org_a)
    assert "10/31/2026" in client_alice.get("/o/clinic-a/dashboard/").content.decode()
    client_alice.post("/i18n/setlang/", {"language": "es", "next": "/"})
    html = client_alice.get("/o/clinic-a/dashboard/").content.decode()
    assert '<html lang="es">' in html
    assert "31/10/2026" in html  # the last campaign's date, in Spanish order
    assert "Formación" in html


def test_the_page_needs_few_queries_whatever_the_number_of_sites(
    client_alice: Client, org_a: Any
) -> None:
    seed_known(org_a)
    with CaptureQueriesContext(connection) as small:
        client_alice.get("/o/clinic-a/dashboard/")
    from clinicshield.accounts.models import Site
    from tests.dashboard.builders import assign, staff

    for n in range(30):
        site = Site.objects.create(organisation=org_a, name=f"Site {n:02d}")
        for person in staff(org_a, site, 3, f"S{n}x"):
            assign(person, done_days_ago=10, due_days=-5)
    with CaptureQueriesContext(connection) as large:
        page = client_alice.get("/o/clinic-a/dashboard/").content.decode()
    assert len(large) == len(small)
    assert "32 sites, lowest score first" in page and "Page 1 of 2" in page
    assert "Site 29" in client_alice.get("/o/clinic-a/dashboard/?page=2").content.decode()
    assert len(large) < 50


def test_the_report_pdf_reads_as_a_report(client_alice: Client, org_a: Any, tmp_path: Path) -> None:
    seed_november_closed(org_a)
    response = client_alice.get("/o/clinic-a/dashboard/report.pdf?month=2026-11")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Monthly security report" in text
    assert "Clínica A" in text and "November 2026" in text
    assert "What to do next" in text
    assert "Staff training" in text and "14 of 20 staff have current training" in text


def test_a_bad_month_is_refused_with_a_reason(client_alice: Client) -> None:
    response = client_alice.get("/o/clinic-a/dashboard/report.pdf?month=november")
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


def test_the_evidence_pack_maps_every_framework(
    client_alice: Client, org_a: Any, tmp_path: Path
) -> None:
    seed_known(org_a)
    response = client_alice.get("/o/clinic-a/dashboard/evidence.zip")
    assert response.status_code == 200
    pack = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(pack.namelist()) == [
        "compliance.csv", "evidence.pdf", "reports-sent.csv", "score-history.csv",
    ]  # fmt: skip
    csv_text = pack.read("compliance.csv").decode()
    for reference in ("164.308(a)(1)", "164.308(a)(5)", "164.308(a)(6)", "164.312(b)",
                      "GDPR art. 32", "405(d) HICP practice 10"):  # fmt: skip
        assert reference in csv_text
    # monitoring is not set up: audit controls are missing
    assert "45 CFR §164.312(b),Audit controls" in csv_text
    assert [line for line in csv_text.splitlines() if "164.312(b)" in line][0].count("missing")
    text = pdf_text(pack.read("evidence.pdf"), tmp_path)
    assert "Compliance evidence" in text and "Missing" in text


def test_the_report_and_the_evidence_pack_speak_spanish(
    client_alice: Client, org_a: Any, tmp_path: Path
) -> None:
    seed_november_closed(org_a)
    client_alice.post("/i18n/setlang/", {"language": "es", "next": "/"})
    report = client_alice.get("/o/clinic-a/dashboard/report.pdf?month=2026-11").content
    text = pdf_text(report, tmp_path)
    assert "Informe mensual de seguridad" in text and "noviembre de 2026" in text
    assert "Formación del personal" in text and "14 de 20 personas" in text
    assert "17,5 / 25" in text and "17.5" not in text  # the bars too write a decimal comma
    assert "Qué hacer a continuación" in text and "What to do next" not in text
    pack = zipfile.ZipFile(
        io.BytesIO(client_alice.get("/o/clinic-a/dashboard/evidence.zip").content)
    )
    evidence = pdf_text(pack.read("evidence.pdf"), tmp_path)
    assert "Evidencias de cumplimiento" in evidence and "RGPD art. 32" in evidence
    assert "405(d) HICP, práctica 10" in evidence and "Sin cubrir" in evidence
    assert "Lo que falta:" in evidence
    assert "Controles de auditoría" in pack.read("compliance.csv").decode()
    bad = client_alice.get("/o/clinic-a/dashboard/report.pdf?month=noviembre")
    assert "AAAA-MM" in bad.content.decode()
