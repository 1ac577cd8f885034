"""sshd and PAM sign-ins from syslog files (RFC 3164 with and without year, RFC 5424)."""

import os
from datetime import UTC, datetime
from pathlib import Path

from tests.monitoring.ingest.helpers import quarantined, run, stored, write

SSHD = [
    "Mar  3 08:15:02 web1 sshd[1001]: Accepted publickey for ana from 83.44.10.20 port 50122 "
    "ssh2: RSA SHA256:abc",
    "Mar  3 08:16:10 web1 sshd[1002]: Failed password for root from 203.0.113.5 port 40022 ssh2",
    "Mar  3 08:16:11 web1 sshd[1003]: Failed password for invalid user oracle from 203.0.113.5 "
    "port 40023 ssh2",
    "Mar  3 08:16:12 web1 sshd[1004]: Invalid user oracle from 203.0.113.5 port 40024",
    "Mar  3 08:16:13 web1 sshd[1005]: error: maximum authentication attempts exceeded for root "
    "from 203.0.113.5 port 40025 ssh2 [preauth]",
    "Mar  3 08:16:14 web1 sshd[1006]: User guest from 203.0.113.9 not allowed because not "
    "listed in AllowUsers",
    "Mar  3 08:16:15 web1 sshd[1007]: pam_unix(sshd:auth): authentication failure; logname= "
    "uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.5  user=root",
    "Mar  3 08:16:16 web1 sshd[1008]: Connection closed by authenticating user root 203.0.113.5 "
    "port 40026 [preauth]",
    "Mar  3 08:17:00 web1 CRON[2001]: pam_unix(cron:session): session opened for user root",
]


def test_it_turns_each_sshd_sign_in_message_into_an_auth_event(tmp_path: Path) -> None:
    result = run(tmp_path, write(tmp_path / "auth.log", SSHD), "syslog", year=2026)
    rows = stored(tmp_path, "auth")
    assert result.read == 9
    assert [
        (r["event_code"], r["outcome"], r["user"], r["src_ip"], r["src_port"]) for r in rows
    ] == [
        ("sshd:accepted_publickey", "success", "ana", "83.44.10.20", 50122),
        ("sshd:failed_password", "failure", "root", "203.0.113.5", 40022),
        ("sshd:failed_password", "failure", "oracle", "203.0.113.5", 40023),
        ("sshd:invalid_user", "failure", "oracle", "203.0.113.5", 40024),
        ("sshd:max_attempts", "failure", "root", "203.0.113.5", 40025),
        ("sshd:not_allowed", "failure", "guest", "203.0.113.9", None),
        ("pam:auth_failure", "failure", "root", "203.0.113.5", None),
    ]
    first = rows[0]
    assert first["ts"] == datetime(2026, 3, 3, 8, 15, 2, tzinfo=UTC)
    assert first["host"] == "web1" and first["app"] == "sshd"
    assert first["record_ref"] == "line 1" and first["source_file"].endswith("auth.log")
    assert first["src_country"] == "ES"  # from the offline database shipped with geoip2fast


def test_it_reads_local_times_in_the_given_timezone(tmp_path: Path) -> None:
    run(
        tmp_path, write(tmp_path / "a.log", SSHD[:1]), "syslog", year=2026, timezone="Europe/Madrid"
    )
    assert stored(tmp_path, "auth")[0]["ts"] == datetime(2026, 3, 3, 7, 15, 2, tzinfo=UTC)


def test_it_moves_to_the_next_year_when_a_log_crosses_new_year(tmp_path: Path) -> None:
    lines = [
        "Dec 31 23:59:58 web1 sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2",
        "Jan  1 00:00:03 web1 sshd[2]: Failed password for root from 203.0.113.5 port 2 ssh2",
    ]
    run(tmp_path, write(tmp_path / "a.log", lines), "syslog", year=2025)
    assert [r["ts"].year for r in stored(tmp_path, "auth")] == [2025, 2026]


def test_without_a_year_it_takes_the_one_that_does_not_pass_the_file_date(
    tmp_path: Path,
) -> None:
    lines = [
        "Dec 30 10:00:00 web1 sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2",
        "Feb  1 10:00:00 web1 sshd[2]: Failed password for root from 203.0.113.5 port 2 ssh2",
    ]
    path = write(tmp_path / "a.log", lines)
    modified = datetime(2026, 2, 1, 12, 0, tzinfo=UTC).timestamp()
    os.utime(path, (modified, modified))
    run(tmp_path, path, "syslog")
    assert [r["ts"].date().isoformat() for r in stored(tmp_path, "auth")] == [
        "2025-12-30",
        "2026-02-01",
    ]


def test_it_reads_rfc5424_lines_with_their_own_time_and_zone(tmp_path: Path) -> None:
    lines = [
        "<38>1 2026-03-03T09:15:02.120+01:00 web2 sshd 4321 - - Accepted password for "
        "luis from 198.51.100.7 port 51000 ssh2",
        '<38>1 2026-03-03T09:16:00Z web2 sshd 4322 - [meta sequenceId="7"] Failed password '
        "for luis from 198.51.100.7 port 51001 ssh2",
    ]
    run(tmp_path, write(tmp_path / "a.log", lines), "syslog")
    rows = stored(tmp_path, "auth")
    assert [(r["ts"].isoformat(), r["outcome"], r["host"]) for r in rows] == [
        ("2026-03-03T08:15:02.120000+00:00", "success", "web2"),
        ("2026-03-03T09:16:00+00:00", "failure", "web2"),
    ]


def test_it_quarantines_lines_without_a_syslog_header_with_their_line(tmp_path: Path) -> None:
    lines = [SSHD[1], "this is not syslog at all", "", SSHD[2]]
    result = run(tmp_path, write(tmp_path / "a.log", lines), "syslog", year=2026)
    assert result.stored == {"auth": 2} and result.quarantined == 1
    (bad,) = quarantined(tmp_path)
    assert (bad["record_ref"], bad["reason"], bad["raw"]) == (
        "line 2",
        "not_syslog",
        "this is not syslog at all",
    )
    assert bad["source_file"].endswith("a.log")


def test_it_reads_pam_failures_of_the_loghub_linux_sample(
    tmp_path: Path, shared_data: Path
) -> None:
    result = run(tmp_path, shared_data / "linux" / "Linux_2k.log", "syslog", year=2005)
    rows = stored(tmp_path, "auth")
    assert result.read == 2000
    assert len(rows) == 490  # every "authentication failure; ... rhost=" line
    sshd = [r for r in rows if r["app"] == "sshd"]
    assert len(sshd) == 489 and {r["outcome"] for r in rows} == {"failure"}
    named = [r for r in rows if r["failure_reason"]]  # rhost was a host name, not an address
    assert named and all(r["src_ip"] is None for r in named)
    assert rows[0]["ts"] == datetime(2005, 6, 14, 15, 16, 1, tzinfo=UTC)


def test_dates_and_times_that_do_not_exist_are_quarantined_not_rolled_over(
    tmp_path: Path,
) -> None:
    failed = "web1 sshd[1]: Failed password for root from 203.0.113.5 port 1 ssh2"
    lines = [
        f"Feb 28 10:00:00 {failed}",
        f"Feb 30 10:00:00 {failed}",  # make_timestamptz would say March 2
        f"Apr 31 10:00:00 {failed}",
        f"Mar  1 25:00:00 {failed}",
        f"Mar  1 10:61:00 {failed}",
    ]
    result = run(tmp_path, write(tmp_path / "a.log", lines), "syslog", year=2025)
    assert result.stored == {"auth": 1}
    assert [r["ts"] for r in stored(tmp_path, "auth")] == [datetime(2025, 2, 28, 10, tzinfo=UTC)]
    assert sorted((q["record_ref"], q["reason"]) for q in quarantined(tmp_path)) == [
        (f"line {n}", "bad_timestamp") for n in range(2, 6)
    ]


def test_a_line_with_only_the_start_of_an_rfc5424_header_is_quarantined(tmp_path: Path) -> None:
    result = run(
        tmp_path, write(tmp_path / "a.log", [SSHD[1], "<38>1 garbage"]), "syslog", year=2026
    )
    assert (result.stored, result.quarantined) == ({"auth": 1}, 1)
    assert [(q["record_ref"], q["reason"]) for q in quarantined(tmp_path)] == [
        ("line 2", "not_syslog")
    ]


def test_a_pam_failure_keeps_its_own_rhost_whatever_the_user_name_says(tmp_path: Path) -> None:
    # PAM writes rhost= before user=, and the name is whatever the caller typed.
    line = (
        "Mar  3 08:16:01 web1 sshd(pam_unix)[411]: authentication failure; logname= uid=0 "
        "euid=0 tty=NODEVssh ruser= rhost=203.0.113.5  user=x rhost=198.51.100.9"
    )
    run(tmp_path, write(tmp_path / "a.log", [line]), "syslog", year=2026)
    (row,) = stored(tmp_path, "auth")
    assert (row["src_ip"], row["user"], row["event_code"]) == (
        "203.0.113.5",
        "x",
        "pam:auth_failure",
    )
