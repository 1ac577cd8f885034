import ipaddress

import pytest

from clinicshield.exposure.core.scope import OutOfScope, check_scope, network_of

REGISTERED = ["10.213.7.0/24", "192.0.2.0/28"]


def test_it_expands_addresses_blocks_and_ranges_inside_registered_networks() -> None:
    found = check_scope(["10.213.7.10", "192.0.2.0/30", "10.213.7.20-22"], REGISTERED)
    assert [str(a) for a in found] == [
        "10.213.7.10",
        "192.0.2.1",
        "192.0.2.2",
        "10.213.7.20",
        "10.213.7.21",
        "10.213.7.22",
    ]


def test_it_refuses_an_address_outside_every_registered_network() -> None:
    with pytest.raises(OutOfScope) as refused:
        check_scope(["10.213.7.5", "10.213.8.5"], REGISTERED)
    assert refused.value.code == "not_registered"
    assert refused.value.target == "10.213.8.5"


def test_it_refuses_a_block_wider_than_the_registered_network() -> None:
    with pytest.raises(OutOfScope, match="not_registered"):
        check_scope(["10.213.0.0/16"], REGISTERED)


def test_it_refuses_host_names_instead_of_resolving_them() -> None:
    with pytest.raises(OutOfScope) as refused:
        check_scope(["pacs.clinic.example"], REGISTERED)
    assert refused.value.code == "bad_target"


def test_it_refuses_everything_when_nothing_is_registered() -> None:
    with pytest.raises(OutOfScope, match="no_networks"):
        check_scope(["127.0.0.1"], [])


@pytest.mark.parametrize("bad", ["10.213.7.9-3", "10.213.7.1-300", "10.213.7.1/40", ""])
def test_it_refuses_malformed_targets(bad: str) -> None:
    with pytest.raises(OutOfScope):
        check_scope([bad], REGISTERED)


def test_it_refuses_more_hosts_than_one_scan_may_take() -> None:
    with pytest.raises(OutOfScope, match="too_many_hosts"):
        check_scope(["10.0.0.0/15"], ["10.0.0.0/8"])


def test_it_finds_the_most_specific_registered_network() -> None:
    address = ipaddress.ip_address("10.213.7.9")
    assert str(network_of(address, ["10.213.0.0/16", "10.213.7.0/24"])) == "10.213.7.0/24"
    assert network_of(ipaddress.ip_address("8.8.8.8"), REGISTERED) is None
