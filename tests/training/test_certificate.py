"""The certificate of completion: name, module, date and score, in the person's language."""

import subprocess
from pathlib import Path

from clinicshield.accounts.models import Person
from clinicshield.training.actions import do_assign_module
from clinicshield.training.queries import shipped_library
from tests.system import need_program

from .conftest import portal_client


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    pdftotext = need_program("pdftotext", "poppler-utils")
    (tmp_path / "c.pdf").write_bytes(pdf)
    done = subprocess.run([pdftotext, str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


def pass_with_one_wrong(person: Person, key: str) -> bytes:
    quiz = shipped_library().modules[key].quizzes[person.language]
    answers = {f"q-{q.id}": str(q.correct_index) for q in quiz.questions}
    answers[f"q-{quiz.questions[-1].id}"] = str((quiz.questions[-1].correct_index + 1) % 3)
    client = portal_client(person)
    client.post(f"/portal/training/m/{key}/quiz/", answers)
    response = client.get(f"/portal/training/m/{key}/certificate.pdf")
    assert response.status_code == 200
    return response.content


def test_the_spanish_certificate_names_the_person_module_date_and_score(
    lucia: Person, tmp_path: Path
) -> None:
    assignment = do_assign_module(lucia, "phone-scams", reason="onboarding")
    text = pdf_text(pass_with_one_wrong(lucia, "phone-scams"), tmp_path)
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    assert "Certificado de finalización" in text
    assert "Lucía Pérez" in text
    assert "Estafas telefónicas y suplantaciones" in text
    assert "85%" in text
    assert str(assignment.completed_at.year) in text
    assert f"clinic-a-{assignment.pk:06d}" in text


def test_the_english_certificate_is_in_english(tom: Person, tmp_path: Path) -> None:
    do_assign_module(tom, "devices-remote", reason="onboarding")
    text = pdf_text(pass_with_one_wrong(tom, "devices-remote"), tmp_path)
    assert "Certificate of completion" in text and "Tom Hart" in text
    assert "Devices and remote access" in text and "quiz score of 85%" in text
