from clinicshield.exposure.core.coverage import coverage_of, targets_whole


def test_it_knows_the_addresses_a_scan_targeted() -> None:
    scan = coverage_of("10.0.0.5 10.0.0.8-10 10.0.1.0/30", "clinic", "scanner")
    assert [scan.targets(a) for a in ("10.0.0.5", "10.0.0.9", "10.0.1.3")] == [True] * 3
    assert [scan.targets(a) for a in ("10.0.0.6", "10.0.0.11", "10.0.1.4")] == [False] * 3
    assert not scan.targets("::a00:5")  # the same number in another IP version


def test_it_knows_the_ports_a_scan_asked() -> None:
    scan = coverage_of("10.0.0.5", "22,8000-8002", "scanner")
    assert scan.asks(8001, "tcp") and not scan.asks(3389, "tcp")
    assert scan.asks(161, "udp") and not scan.asks(53, "udp")  # our scanner asks SNMP only
    assert not coverage_of("10.0.0.5", "22", "nmap").asks(161, "udp")
    imported = coverage_of("10.0.0.5", "imported", "nmap-xml")  # what nmap asked is unknown
    assert not imported.asks(22, "tcp")


def test_a_host_found_down_has_every_port_looked_at() -> None:
    scan = coverage_of("10.0.0.5 10.0.0.6", "22", "scanner")
    assert scan.looks_at("10.0.0.5", 3389, "tcp", hosts_up={"10.0.0.6"})
    assert not scan.looks_at("10.0.0.6", 3389, "tcp", hosts_up={"10.0.0.6"})
    assert scan.looks_at("10.0.0.6", 22, "tcp", hosts_up={"10.0.0.6"})
    assert not scan.looks_at("10.0.0.7", 22, "tcp", hosts_up=set())


def test_it_tells_when_scans_together_targeted_a_whole_network() -> None:
    left = coverage_of("10.0.0.1 10.0.0.2 10.0.0.3", "22", "scanner")
    right = coverage_of("10.0.0.4-6", "22", "scanner")
    assert targets_whole([left, right], "10.0.0.0/29")  # network and broadcast aside
    assert not targets_whole([left], "10.0.0.0/29")
    assert targets_whole([coverage_of("10.0.0.0/29", "22", "scanner")], "10.0.0.0/29")
