"""Staff roster CSV: `name,email,department,site,language` (other columns are ignored).

Parsing never stops at a bad row: good rows come back as `StaffRow`, bad ones as `RowProblem`
with the line number of the file and a reason code, so the caller can import the good rows and
report every bad one.
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

DEPARTMENTS = ("reception", "clinician", "nurse", "lab", "billing", "management", "it")
LANGUAGES = ("en", "es")
REQUIRED_COLUMNS = ("name", "email", "department", "site", "language")
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")

# Common spellings people use in rosters, mapped to our departments.
DEPARTMENT_ALIASES = {
    "front desk": "reception",
    "frontdesk": "reception",
    "recepción": "reception",
    "recepcion": "reception",
    "doctor": "clinician",
    "physician": "clinician",
    "médico": "clinician",
    "medico": "clinician",
    "enfermería": "nurse",
    "enfermeria": "nurse",
    "laboratorio": "lab",
    "laboratory": "lab",
    "facturación": "billing",
    "facturacion": "billing",
    "dirección": "management",
    "direccion": "management",
    "manager": "management",
    "informática": "it",
    "informatica": "it",
}


@dataclass(frozen=True)
class StaffRow:
    line: int
    name: str
    email: str
    department: str
    site: str
    language: str


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str  # a code: missing_name, bad_email, unknown_department, ...
    value: str = ""


@dataclass(frozen=True)
class Roster:
    rows: list[StaffRow]
    problems: list[RowProblem]
    missing_columns: list[str]


def normalise_department(value: str) -> str | None:
    key = value.strip().lower()
    if key in DEPARTMENTS:
        return key
    return DEPARTMENT_ALIASES.get(key)


def decode_roster(raw: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without a BOM), else Latin-1, which is how Excel on
    Windows still saves CSV."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_roster(text: str) -> Roster:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return Roster([], [], missing)
    reader.fieldnames = header
    rows: list[StaffRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        outcome = _check_row(line, record)
        if isinstance(outcome, RowProblem):
            problems.append(outcome)
        elif outcome.email in seen:
            problems.append(RowProblem(line, "duplicate_email", outcome.email))
        else:
            seen[outcome.email] = line
            rows.append(outcome)
    return Roster(rows, problems, [])


def _check_row(line: int, record: dict[str, str | None]) -> StaffRow | RowProblem:
    def field(name: str) -> str:
        return (record.get(name) or "").strip()

    if None in record:  # more cells than columns: a stray comma, usually
        return RowProblem(line, "too_many_cells")
    name, email = field("name"), field("email").lower()
    if not name:
        return RowProblem(line, "missing_name")
    if not EMAIL_RE.match(email):
        return RowProblem(line, "bad_email", field("email"))
    department = normalise_department(field("department"))
    if department is None:
        return RowProblem(line, "unknown_department", field("department"))
    language = field("language").lower() or "es"
    if language not in LANGUAGES:
        return RowProblem(line, "unknown_language", field("language"))
    site = field("site")
    if not site:
        return RowProblem(line, "missing_site")
    return StaffRow(line, name, email, department, site, language)


def roster_csv(rows: Iterable[tuple[str, str, str, str, str]]) -> str:
    """The roster back as CSV, in the same columns the import reads."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REQUIRED_COLUMNS)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
