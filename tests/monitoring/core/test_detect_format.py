"""--format auto: each source recognised by its content; anything else refused by name."""

from pathlib import Path

import pytest

from clinicshield.monitoring.core.detect_format import UnrecognisedFormat, detect
from tests.monitoring.ingest.helpers import FIXTURES, write


def test_it_recognises_the_real_samples(shared_data: Path) -> None:
    assert detect(shared_data / "evtx" / "DE_RDP_Tunneling_4624.evtx") == "evtx"
    assert detect(next((shared_data / "windows-json").glob("*.json"))) == "winjson"
    assert detect(shared_data / "zeek" / "NASHUA_conn.log") == "zeek"
    assert detect(shared_data / "linux" / "Linux_2k.log") == "syslog"


def test_it_recognises_our_fixtures() -> None:
    assert detect(FIXTURES / "entra_signins_page.json") == "entra"
    assert detect(FIXTURES / "azure_monitor_signinlogs.json") == "entra"
    assert detect(FIXTURES / "zeek_conn.tsv") == "zeek"
    assert detect(FIXTURES / "netflow_nfdump.csv") == "csv"


def test_it_recognises_rfc5424_syslog(tmp_path: Path) -> None:
    path = write(tmp_path / "x.log", ["<34>1 2026-03-03T08:00:00Z host app 1 - - hello"] * 3)
    assert detect(path) == "syslog"


@pytest.mark.parametrize(
    ("content", "looked_like"),
    [
        (
            b"login_time,username,result\n2026-03-03,ana,OK\n",
            "CSV with columns login_time, username, result",
        ),
        (b'{"when": "2026-03-03", "who": "ana"}\n', "JSON with keys when, who"),
        (b"\x00\x01\x02PK\x03\x04binary", "binary data"),
        (b"hello world\nsecond line\n", "text starting with 'hello world'"),
        (b"", "an empty file"),
    ],
)
def test_it_refuses_what_it_cannot_recognise_and_says_what_it_saw(
    tmp_path: Path, content: bytes, looked_like: str
) -> None:
    path = tmp_path / "unknown.dat"
    path.write_bytes(content)
    with pytest.raises(UnrecognisedFormat) as caught:
        detect(path)
    assert looked_like in caught.value.looked_like
    assert str(path) in str(caught.value)
