"""Tabletop drills through their actions and pages; the PDFs they produce."""

import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clinicshield.lib.errors import UserError
from clinicshield.readiness import actions
from clinicshield.readiness.core.catalogue import shipped_catalogue
from clinicshield.readiness.models import Drill, ImprovementTask
from tests.system import need_program


def start(org: Any, key: str = "lost-laptop", language: str = "en") -> Drill:
    return actions.do_start_drill(org, key, language, "test")


def test_injects_come_in_order_and_participants_answer_only_what_was_asked(org_a: Any) -> None:
    drill = start(org_a)
    with pytest.raises(UserError, match="not been asked"):
        actions.do_submit_answer(drill, "q-reception", "Ana", "Call IT")
    assert actions.do_show_next_inject(drill) == "mentioned"
    actions.do_submit_answer(drill, "q-reception", "Ana", "Call IT")
    assert actions.do_show_next_inject(drill) == "device-status"
    for _ in range(2):
        actions.do_show_next_inject(drill)
    with pytest.raises(UserError, match="Every inject"):
        actions.do_show_next_inject(drill)


def test_decisions_score_per_area_and_finishing_freezes_the_score(org_a: Any) -> None:
    drill = start(org_a)
    actions.do_record_decision(drill, "q-reception", ["report-it", "list-contents"])
    actions.do_record_decision(drill, "q-reception", ["report-it"])  # recorded again: replaces
    actions.do_record_decision(drill, "q-deadlines", ["authority", "patients", "hipaa"])
    with pytest.raises(UserError, match="guess"):
        actions.do_record_decision(drill, "q-deadlines", ["guess"])
    due = timezone.now().date() + timedelta(days=30)
    actions.do_finish_drill(
        drill,
        "test",
        went_well="Fast report",
        gaps_noted="USB",
        improvements=[("Block USB drives", "MSP", due), ("", "", None)],
    )
    drill.refresh_from_db()
    areas = {a["area"]: a for a in drill.score["areas"]}
    assert (areas["detection"]["earned"], areas["detection"]["level"]) == (2, "gap")
    assert (areas["compliance"]["percent"], areas["compliance"]["level"]) == (86, "strong")
    assert [(t.title, t.due_on) for t in drill.improvements.all()] == [("Block USB drives", due)]
    with pytest.raises(UserError):
        actions.do_record_decision(drill, "q-reception", [])


def test_a_facilitator_runs_a_drill_through_the_pages_to_its_report(
    org_a: Any, client_alice: Client, client_charlie: Client
) -> None:
    response = client_alice.post(
        "/o/clinic-a/readiness/drills/", {"scenario": "supplier-invoice-fraud", "language": "es"}
    )
    drill = Drill.objects.get(organisation=org_a)
    base = f"/o/clinic-a/readiness/drills/{drill.pk}/"
    assert response["Location"] == base
    client_alice.post(base + "next/")
    page = client_alice.get(base).content.decode()
    assert "Martes 10:00: una nueva cuenta bancaria" in page
    participant = Client()
    phone = participant.get(f"/drill/{drill.participant_token}/").content.decode()
    assert "¿Qué hace la persona de facturación antes de pagar?" in phone
    participant.post(
        f"/drill/{drill.participant_token}/answer/",
        {"participant": "Nuria", "question": "q-billing", "text": "Llamar al proveedor"},
    )
    polled = client_alice.get(base, HTTP_HX_REQUEST="true").content.decode()
    assert "Nuria" in polled and "Llamar al proveedor" in polled
    client_alice.post(
        base + "decision/", {"question": "q-billing", "action": ["call-known", "second-person"]}
    )
    assert client_charlie.get(base).status_code == 404
    client_alice.post(
        base + "finish/",
        {
            "went_well": "Verificación por teléfono",
            "improvements": "Doble aprobación | Nuria | 2027-01-15",
        },
    )
    report = client_alice.get(base + "report/").content.decode()
    assert "Detectar el fraude" in report and "Doble aprobación" in report
    pdf = client_alice.get(base + "report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert ImprovementTask.objects.get(drill=drill).owner == "Nuria"


def test_a_bad_improvement_date_is_explained_and_nothing_is_finished(
    org_a: Any, client_alice: Client
) -> None:
    drill = start(org_a)
    response = client_alice.post(
        f"/o/clinic-a/readiness/drills/{drill.pk}/finish/",
        {"improvements": "Block USB | MSP | next week"},
    )
    assert "next week is not a date" in response.content.decode()
    assert Drill.objects.get(pk=drill.pk).status == "running"


def test_a_participant_polling_is_told_to_reload_when_the_inject_changes(org_a: Any) -> None:
    drill = start(org_a)
    url = f"/drill/{drill.participant_token}/current/"
    assert Client().get(url + "?seen=").status_code == 204
    actions.do_show_next_inject(drill)
    changed = Client().get(url + "?seen=")
    assert changed["HX-Refresh"] == "true"
    assert Client().get(url + "?seen=mentioned").status_code == 204
    assert Client().get("/drill/not-a-token/").status_code == 404


def decode_qr(pdf: Path, folder: Path) -> str:
    """Render the poster as a phone camera would see it and read its QR code with zbarimg."""
    pdftoppm = need_program("pdftoppm", "poppler-utils")
    zbarimg = need_program("zbarimg", "zbar-tools")
    subprocess.run([pdftoppm, "-r", "150", "-png", "-singlefile", pdf, folder / "scan"], check=True)
    found = subprocess.run(
        [zbarimg, "-q", "--raw", folder / "scan.png"], capture_output=True, text=True
    )
    return found.stdout.splitlines()[0] if found.stdout else ""


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_poster_is_one_page_with_a_qr_code_to_the_report_page(
    org_a: Any, client_alice: Client, tmp_path: Path, settings: Any, language: str
) -> None:
    pdfinfo = need_program("pdfinfo", "poppler-utils")
    pdftotext = need_program("pdftotext", "poppler-utils")
    actions.do_add_contact(org_a, "test", kind="it_support", name="MSP Salud", phone="910555010")
    client_alice.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    token = actions.profile_for(org_a).report_token
    for key in shipped_catalogue().playbooks[language]:
        response = client_alice.get(f"/o/clinic-a/readiness/playbooks/{key}/poster.pdf")
        path = tmp_path / f"{key}.pdf"
        path.write_bytes(response.content)
        info = subprocess.run([pdfinfo, path], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Pages:\s+1$", info, re.M), f"{language}/{key}: {info}"
        text = subprocess.run(
            [pdftotext, path, "-"], capture_output=True, text=True, check=True
        ).stdout
        poster = shipped_catalogue().playbook(key, language).poster
        assert poster.do_now[0][:20] in text and "910555010" in text
        if key == "clickfix":  # every poster carries the same code; scanning one is enough
            assert decode_qr(path, tmp_path) == f"{settings.SITE_URL}/report/{token}/"
