"""PDF documents: a certificate of completion for a person, training evidence for auditors."""

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from clinicshield.accounts.models import Person

from .core.content import Module
from .models import Assignment


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint is slow to import and only these two documents need it.
    from weasyprint import HTML

    # No base_url: the documents are self-contained and must not fetch anything.
    return bytes(HTML(string=html).write_pdf())


def certificate_pdf(person: Person, module: Module, assignment: Assignment, lang: str) -> bytes:
    with translation.override(lang):
        html = render_to_string(
            "training/certificate.html",
            {
                "person": person,
                "org": person.organisation,
                "title": module.title(lang),
                "assignment": assignment,
                "reference": f"{person.organisation.slug}-{assignment.pk:06d}",
            },
        )
    return html_to_pdf(html)


def evidence_pdf(context: dict[str, Any], lang: str) -> bytes:
    with translation.override(lang):
        html = render_to_string("training/evidence.html", context)
    return html_to_pdf(html)
