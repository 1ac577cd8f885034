"""`clinicshield training modules|status|assign`: the training library and people's progress."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clinicshield.accounts.cli import get_org
from clinicshield.accounts.models import Person
from clinicshield.lib.cli import (
    add_format_argument,
    add_org_argument,
    emit_document,
    emit_rows,
    from_user_error,
    refuse,
)
from clinicshield.lib.errors import UserError
from clinicshield.training import actions
from clinicshield.training.queries import catalogue, shipped_library, status_records


class Command(BaseCommand):
    help = "Training: list modules, show who is up to date, assign a module to a person."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
        modules = verbs.add_parser("modules", help="the modules, with languages, roles, pass mark")
        modules.add_argument("--org", help="include this organisation's own modules and marks")
        add_format_argument(modules)
        status = verbs.add_parser("status", help="per person and module: due, state, score")
        add_org_argument(status)
        add_format_argument(status)
        assign = verbs.add_parser("assign", help="assign a module to one person now")
        add_org_argument(assign)
        assign.add_argument("--person", required=True, help="the person's email")
        assign.add_argument("--module", required=True, help="module key (see `modules`)")
        assign.add_argument("--reason", default="manual", help="why (default: manual)")
        add_format_argument(assign)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['verb']}")(options)

    def handle_modules(self, options: dict[str, Any]) -> None:
        modules = catalogue(get_org(options["org"])) if options["org"] else {
            m.key: m for m in shipped_library().ordered()
        }  # fmt: skip
        rows = [
            {
                "key": m.key,
                "title": m.title("en"),
                "title_es": m.title("es") if "es" in m.lessons else None,
                "languages": list(m.languages),
                "roles": list(m.roles),
                "pass_mark": m.pass_mark,
                "minutes": m.minutes,
                "questions": len(next(iter(m.quizzes.values())).questions),
            }
            for m in modules.values()
        ]
        if options["format"] == "json":
            emit_document(self.stdout, {"modules": rows}, "json")
        else:
            emit_rows(
                self.stdout, rows, "table", ["key", "languages", "roles", "pass_mark", "title"]
            )

    def handle_status(self, options: dict[str, Any]) -> None:
        org = get_org(options["org"])
        records = status_records(org, timezone.now())
        if options["format"] == "json":
            emit_document(self.stdout, {"organisation": org.slug, "status": records}, "json")
        else:
            columns = ["email", "module", "state", "due", "completed_at", "score"]
            emit_rows(self.stdout, records, "table", columns)

    def handle_assign(self, options: dict[str, Any]) -> None:
        org = get_org(options["org"])
        person = Person.objects.filter(organisation=org, email__iexact=options["person"]).first()
        if person is None:
            raise refuse(f"no person with email {options['person']!r} in {org.slug}")
        try:
            assignment = actions.do_assign_module(
                person, options["module"], reason=options["reason"], actor="cli"
            )
        except UserError as error:
            raise from_user_error(error) from None
        document = {
            "person": person.email,
            "module": assignment.module_key,
            "reason": assignment.reason,
            "due": assignment.due_at.isoformat(),
            "assignment": assignment.pk,
        }
        emit_document(self.stdout, document, options["format"])
