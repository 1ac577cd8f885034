"""How the log source pages read: quarantined records in line order, a bad date named
instead of silently dropped, event tables in the reader's language."""

import re
from pathlib import Path
from typing import Any

from django.test import Client

from clinicshield.monitoring.actions import do_ingest_files
from tests.monitoring.ingest.helpers import write

GOOD = "Mar  3 08:17:10 web1 sshd[2]: Accepted password for ana from 83.44.10.20 port 2 ssh2"
FAILED = "Mar  3 08:16:10 web1 sshd[1]: Failed password for oracle from 203.0.113.5 port 1 ssh2"


def _ingest(org: Any, tmp_path: Path, lines: list[str]) -> None:
    do_ingest_files(org, [write(tmp_path / "auth.log", lines)], "syslog", year=2026, tz="UTC")


def test_quarantined_records_are_listed_by_line_number(
    client_alice: Client, org_a: Any, tmp_path: Path
) -> None:
    _ingest(org_a, tmp_path, [GOOD] + [f"not syslog {n}" for n in range(2, 13)])
    page = client_alice.get(f"/o/{org_a.slug}/monitoring/sources/").content.decode()
    refs = re.findall(r"<td>(line \d+)</td>", page)
    assert refs == [f"line {n}" for n in range(2, 13)]
    client_alice.post("/i18n/setlang/", {"language": "es", "next": "/"})
    page = client_alice.get(f"/o/{org_a.slug}/monitoring/sources/").content.decode()
    assert re.findall(r"<td>(línea \d+)</td>", page) == [f"línea {n}" for n in range(2, 13)]


def test_a_bad_date_is_named_and_nothing_is_searched(
    client_bob: Client, org_a: Any, tmp_path: Path
) -> None:
    _ingest(org_a, tmp_path, [GOOD, FAILED])
    url = f"/o/{org_a.slug}/monitoring/events/"
    assert "83.44.10.20" in client_bob.get(url, {"kind": "auth"}).content.decode()
    page = client_bob.get(url, {"kind": "auth", "since": "garbage"})
    text = page.content.decode()
    assert page.status_code == 400
    assert "“garbage” in “From” is not a date; write it as YYYY-MM-DD." in text
    assert "83.44.10.20" not in text and "203.0.113.5" not in text
    assert "Nothing was searched: correct the date first." in text
    both = client_bob.get(url, {"since": "2026-02-30", "until": "tomorrow"}).content.decode()
    assert "“2026-02-30” in “From”" in both and "“tomorrow” in “To”" in both
    fine = client_bob.get(url, {"since": "2026-03-03", "until": "2026-03-03"})
    assert fine.status_code == 200 and "83.44.10.20" in fine.content.decode()


def test_the_spanish_event_search_has_spanish_headers_and_values(
    client_bob: Client, org_a: Any, tmp_path: Path
) -> None:
    _ingest(org_a, tmp_path, [GOOD, FAILED])
    client_bob.post("/i18n/setlang/", {"language": "es", "next": "/"})
    url = f"/o/{org_a.slug}/monitoring/events/"
    text = client_bob.get(url, {"kind": "auth"}).content.decode()
    headers = re.findall(r"<th>([^<]*)</th>", text)
    assert headers[:4] == ["Hora", "Usuario", "Resultado", "Tipo de inicio de sesión"]
    assert not {"ts", "user", "outcome", "logon_type", "src_ip", "record_ref"} & set(headers)
    assert "<td>Correcto</td>" in text and "<td>Fallido</td>" in text
    assert "<td>Interactivo remoto</td>" in text
    assert "<td>success</td>" not in text and "remote_interactive" not in text
    bad = client_bob.get(url, {"since": "ayer"}).content.decode()
    assert "“ayer” en “Desde” no es una fecha; escríbala como AAAA-MM-DD." in bad
