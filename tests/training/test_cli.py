"""The training verbs: `modules` through the real `clinicshield` entry point, the verbs that
need an organisation in-process on the test database (each subprocess costs seconds)."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from clinicshield.accounts.models import Person
from tests.cli import clinicshield
from tests.conftest import SmtpSink, body_text


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_modules_lists_the_library_as_json_through_the_entry_point(tmp_path: Path) -> None:
    result = clinicshield(tmp_path, "training", "modules", "--format", "json")
    assert result.code == 0, result.err
    modules = {m["key"]: m for m in json.loads(result.out)["modules"]}
    assert len(modules) >= 8
    assert modules["clickfix"]["languages"] == ["en", "es"]
    assert modules["ransomware-backups"]["roles"] == ["management", "it"]
    assert modules["phishing"]["pass_mark"] == 80
    assert modules["phone-scams"]["title_es"].startswith("Estafas telefónicas")


def test_assign_emails_the_person_and_status_shows_it(
    lucia: Person, smtp_server: SmtpSink, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        out = run("training", "assign", "--org", "clinic-a", "--person", "LUCIA@a.example",
                  "--module", "phone-scams", "--format", "json")  # fmt: skip
    assert json.loads(out)["reason"] == "manual"
    (email,) = smtp_server.to("lucia@a.example")
    assert "Estafas telefónicas" in body_text(email)
    rows = json.loads(run("training", "status", "--org", "clinic-a", "--format", "json"))["status"]
    assert [(r["email"], r["module"], r["state"], r["score"]) for r in rows] == [
        ("lucia@a.example", "phone-scams", "assigned", None)
    ]
    assert rows[0]["due"] > rows[0]["assigned"]
    table = run("training", "status", "--org", "clinic-a")
    assert "lucia@a.example" in table and "phone-scams" in table


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--person", "lucia@a.example", "--module", "no-such-module"], "no-such-module"),
        (["--person", "x@a.example", "--module", "phishing"], "x@a.example"),
    ],
)
def test_assign_refuses_with_exit_code_2(lucia: Person, args: list[str], reason: str) -> None:
    with pytest.raises(CommandError) as error:
        run("training", "assign", "--org", "clinic-a", *args)
    assert error.value.returncode == 2
    assert reason in str(error.value)


def test_status_refuses_an_unknown_organisation(db: Any) -> None:
    with pytest.raises(CommandError) as error:
        run("training", "status", "--org", "nowhere")
    assert error.value.returncode == 2
