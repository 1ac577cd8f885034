"""CLINICSHIELD_GEOIP_MMDB naming a file that cannot be opened is refused in one clear
sentence (the setting, the path, why), never a traceback."""

from pathlib import Path
from typing import Any

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from clinicshield.lib.errors import UserError
from clinicshield.monitoring.actions import do_ingest_files
from clinicshield.monitoring.core.geo import GeoLookup, UnreadableMmdb
from tests.cli import clinicshield
from tests.monitoring.ingest.helpers import stored, write

LINE = "Mar  3 08:16:10 web1 sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2"


def test_the_cli_names_the_setting_and_the_missing_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert clinicshield(data_dir, "createorg", "--name", "X", "--slug", "x").code == 0
    log = write(tmp_path / "auth.log", [LINE])
    missing = tmp_path / "nonexistent.mmdb"
    result = clinicshield(
        data_dir, "ingest", str(log), "--org", "x", env={"CLINICSHIELD_GEOIP_MMDB": str(missing)}
    )
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert f"CLINICSHIELD_GEOIP_MMDB names {missing}" in result.err
    assert "no such file" in result.err


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("not a database\n", "not a MaxMind database (.mmdb)"),
        ("", "not a MaxMind database (.mmdb)"),
        (None, "a folder, not a file"),
    ],
)
def test_ingestion_refuses_a_file_that_is_not_an_mmdb(
    org_a: Any, data_dir: Path, settings: Any, tmp_path: Path, content: str | None, why: str
) -> None:
    mmdb = tmp_path / "city.mmdb"
    if content is None:
        mmdb.mkdir()
    else:
        mmdb.write_text(content)
    settings.GEOIP_MMDB = str(mmdb)
    with pytest.raises(UserError) as caught:
        do_ingest_files(org_a, [write(tmp_path / "auth.log", [LINE])], year=2026)
    assert caught.value.code == "bad_geoip_mmdb"
    message = str(caught.value.message)
    assert f"CLINICSHIELD_GEOIP_MMDB names {mmdb}" in message and why in message
    assert stored(data_dir, "auth") == []


def test_the_lookup_names_which_of_several_files_is_bad(
    tmp_path: Path,
) -> None:
    good = tmp_path / "asn.mmdb"
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-ASN")
    writer.insert_network(IPSet(["83.44.0.0/16"]), {"autonomous_system_number": 3352})
    writer.to_db_file(str(good))
    with pytest.raises(UnreadableMmdb) as caught:
        GeoLookup(mmdb_paths=[good, tmp_path / "city.mmdb"])
    assert caught.value.path == str(tmp_path / "city.mmdb") and caught.value.why == "missing"
    place = GeoLookup(mmdb_paths=[good]).place("83.44.1.2")
    assert place is not None and place.asn == 3352
