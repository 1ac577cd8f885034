from clinicshield.exposure.core.drift import change_of, compare
from clinicshield.exposure.core.observations import OpenPort


def test_it_reports_new_hosts_new_and_closed_ports_and_changed_services() -> None:
    before = [
        OpenPort("10.0.0.5", 22, service="ssh", product="SSH-2.0-OpenSSH_8.9"),
        OpenPort("10.0.0.5", 80, service="http"),
        OpenPort("10.0.0.6", 445, service="smb"),
    ]
    after = [
        OpenPort("10.0.0.5", 22, service="ssh", product="SSH-2.0-OpenSSH_9.6"),
        OpenPort("10.0.0.5", 3389, service="rdp"),
        OpenPort("10.0.0.6", 445, service="smb"),
        OpenPort("10.0.0.9", 5900),
    ]
    changes = compare(["10.0.0.5", "10.0.0.6"], before, ["10.0.0.5", "10.0.0.6", "10.0.0.9"], after)
    summary = [(c.kind, c.address, c.port) for c in changes]
    assert summary == [
        ("new_host", "10.0.0.9", None),
        ("changed_service", "10.0.0.5", 22),
        ("closed_port", "10.0.0.5", 80),
        ("new_port", "10.0.0.5", 3389),
        ("new_port", "10.0.0.9", 5900),
    ]
    assert changes[1].before.endswith("8.9") and changes[1].after.endswith("9.6")


def test_identifying_a_service_for_the_first_time_is_not_a_change() -> None:
    before = [OpenPort("10.0.0.5", 8080)]
    after = [OpenPort("10.0.0.5", 8080, service="http", product="nginx")]
    assert compare(["10.0.0.5"], before, ["10.0.0.5"], after) == []


def test_every_port_is_new_on_a_first_scan() -> None:
    port = OpenPort("10.0.0.5", 22)
    assert change_of(port, None) == "new"
    assert change_of(port, {("10.0.0.5", 22, "tcp")}) == "unchanged"
    assert change_of(port, {("10.0.0.5", 23, "tcp")}) == "new"
