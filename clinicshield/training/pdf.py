"""The training app's PDFs: a certificate of completion for a person, training evidence
for auditors."""

from typing import Any

from clinicshield.accounts.models import Person
from clinicshield.lib.pdf import render_pdf

from .core.content import Module
from .models import Assignment


def certificate_pdf(person: Person, module: Module, assignment: Assignment, lang: str) -> bytes:
    context = {
        "person": person,
        "org": person.organisation,
        "title": module.title(lang),
        "assignment": assignment,
        "reference": f"{person.organisation.slug}-{assignment.pk:06d}",
    }
    return render_pdf("training/certificate.html", context, language=lang)


def evidence_pdf(context: dict[str, Any], lang: str) -> bytes:
    return render_pdf("training/evidence.html", context, language=lang)
