"""Recording observations: drift rows and alerts for new high-risk ports (no network)."""

from typing import Any

from django.utils import translation

from clinicshield.accounts.models import Organisation
from clinicshield.exposure.actions import do_add_network, do_record_observation
from clinicshield.exposure.core.observations import Observation, OpenPort
from clinicshield.exposure.models import Network, Scan
from clinicshield.monitoring.models import Alert
from clinicshield.monitoring.words import render


def record(network: Network, ports: list[OpenPort]) -> Scan:
    scan = Scan.objects.create(
        organisation=network.organisation, network=network, targets=network.cidr, status="running"
    )
    hosts = sorted({p.address for p in ports})
    return do_record_observation(scan, Observation("scanner", hosts_up=hosts, open_ports=ports))


def test_a_new_high_risk_port_raises_one_alert(
    org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    network = do_add_network(org_a, "Madrid", "clinical", "10.213.8.0/24", "test")
    with django_capture_on_commit_callbacks(execute=True):
        record(network, [OpenPort("10.213.8.10", 445, service="smb")])
    assert not Alert.objects.exists()  # the first scan is the baseline
    with django_capture_on_commit_callbacks(execute=True):
        scan = record(
            network,
            [
                OpenPort("10.213.8.10", 445, service="smb"),
                OpenPort("10.213.8.10", 5900, service="vnc"),
                OpenPort("10.213.8.10", 8000, service="http"),
            ],
        )
    alert = Alert.objects.get(organisation=org_a)
    assert (alert.kind, alert.severity, alert.key) == (
        "exposure.new_port",
        "critical",
        "10.213.8.10:5900/tcp",
    )
    assert (alert.code, alert.params["port"], alert.params["address"]) == (
        "exposure.new_port",
        5900,
        "10.213.8.10",
    )
    # Said in the reader's language, service name included, whatever the scan's language.
    with translation.override("en"):
        assert render(alert.code, alert.params).startswith("New open port 5900/tcp (")
    with translation.override("es"):
        spanish = render(alert.code, alert.params)
    assert "5900/tcp" in spanish and not spanish.startswith("New open port")
    assert [c.kind for c in scan.changes.all()] == ["new_port", "new_port"]
    assert {c.port: c.severity for c in scan.changes.all()} == {5900: "critical", 8000: "medium"}
    with django_capture_on_commit_callbacks(execute=True):
        record(network, [OpenPort("10.213.8.10", 5900, service="vnc")])
    assert Alert.objects.count() == 1  # still open: not raised again; 445 closing is no alert
