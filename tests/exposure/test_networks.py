"""Registering networks through the CLI and scope refusals without any network."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from clinicshield.accounts.models import Organisation, Site
from clinicshield.exposure.models import Network


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def add_network(
    org: Organisation, site: str, zone: str = "lab", cidr: str = "10.213.8.0/24"
) -> str:
    return run("networks", "add", "--org", org.slug, "--site", site, "--zone", zone, "--cidr", cidr)


def test_it_registers_a_network_and_creates_the_site(org_a: Organisation) -> None:
    add_network(org_a, "Toledo", cidr="10.213.8.7/24")
    network = Network.objects.get(organisation=org_a)
    assert network.cidr == "10.213.8.0/24"  # normalised
    assert Site.objects.filter(organisation=org_a, name="Toledo").exists()
    rows = [
        json.loads(line)
        for line in run("networks", "list", "--org", org_a.slug, "--format", "json").splitlines()
    ]
    assert rows == [
        {
            "cidr": "10.213.8.0/24",
            "site": "Toledo",
            "zone": "lab",
            "ports": "clinic",
            "scan_every_days": 7,
        }
    ]


@pytest.mark.parametrize(
    "zone, cidr, message",
    [
        ("kitchen", "10.0.0.0/24", "Unknown zone kitchen"),
        ("lab", "10.0.0.300/24", "not a CIDR"),
        ("lab", "10.0.0.0/8", "wider than a /16"),
    ],
)
def test_it_refuses_bad_networks_with_exit_2(
    org_a: Organisation, zone: str, cidr: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message) as refused:
        add_network(org_a, "Madrid", zone=zone, cidr=cidr)
    assert refused.value.returncode == 2
    assert not Network.objects.exists()


def test_it_refuses_a_target_outside_the_registered_networks(org_a: Organisation) -> None:
    add_network(org_a, "Madrid")
    with pytest.raises(CommandError, match="10.213.9.4 is not inside any network") as refused:
        run("scan", "10.213.8.4", "10.213.9.4", "--org", org_a.slug)
    assert refused.value.returncode == 2


def test_another_organisations_network_is_out_of_scope(
    org_a: Organisation, org_b: Organisation
) -> None:
    add_network(org_b, "Burgos")
    with pytest.raises(CommandError, match="no registered networks") as refused:
        run("scan", "10.213.8.4", "--org", org_a.slug)
    assert refused.value.returncode == 2


def test_it_refuses_bad_port_lists(org_a: Organisation) -> None:
    add_network(org_a, "Madrid")
    with pytest.raises(CommandError, match="'smb' is not a port") as refused:
        run("scan", "10.213.8.4", "--org", org_a.slug, "--ports", "22,smb")
    assert refused.value.returncode == 2
