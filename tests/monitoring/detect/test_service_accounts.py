from datetime import timedelta

from clinicshield.monitoring.core.detectors.context import DetectionContext
from clinicshield.monitoring.core.detectors.service_accounts import (
    detect_service_account_interactive,
)

from .conftest import at, signin

START = at("2025-02-01 00:00")


def ctx(accounts=("svc_backup",)) -> DetectionContext:
    return DetectionContext(
        start=START, end=START + timedelta(days=1), service_accounts=frozenset(accounts)
    )


def test_it_flags_a_service_account_signing_in_over_rdp(store, con):
    rows = [
        signin(at("2025-02-01 09:00"), "svc_backup", logon_type="service", host="nas"),
        signin(
            at("2025-02-01 21:00"),
            "svc_backup",
            logon_type="remote_interactive",
            host="dc01",
            src_ip="10.0.0.50",
        ),
    ]
    store("auth", rows)
    findings = detect_service_account_interactive(con, store.table("auth"), ctx())
    assert [(f.user, f.host, f.params["logon_type"], f.src_ip) for f in findings] == [
        ("svc_backup", "dc01", "remote_interactive", "10.0.0.50")
    ]


def test_it_leaves_people_and_unmarked_accounts_alone(store, con):
    store(
        "auth", [signin(at("2025-02-01 09:00"), "ana"), signin(at("2025-02-01 09:00"), "svc_other")]
    )
    assert detect_service_account_interactive(con, store.table("auth"), ctx()) == []
    assert detect_service_account_interactive(con, store.table("auth"), ctx(accounts=())) == []
