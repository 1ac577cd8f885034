"""Registering networks, and checking scan targets against them (scope safety)."""

import ipaddress
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from clinicshield.accounts.actions import audit, do_create_site
from clinicshield.accounts.models import Organisation
from clinicshield.lib.errors import UserError

from ..core.knowledge import ZONES
from ..core.portsets import PortSpecError, resolve_ports
from ..core.scope import OutOfScope, check_scope, network_of
from ..models import Network
from ..words import scope_refusal


def check_port_spec(spec: str) -> list[int]:
    try:
        return resolve_ports(spec)
    except PortSpecError as error:
        raise UserError("bad_ports", _("Bad --ports value: %(why)s") % {"why": error}) from None


def do_add_network(
    org: Organisation, site_name: str, zone: str, cidr: str, actor: Any, ports: str = "clinic"
) -> Network:
    """Register a network (creating the site if it does not exist yet)."""
    if zone not in ZONES or zone == "unknown":
        choices = ", ".join(z for z in ZONES if z != "unknown")
        raise UserError(
            "bad_zone",
            _("Unknown zone %(zone)s; use one of %(choices)s.")
            % {"zone": zone, "choices": choices},
        )
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        raise UserError(
            "bad_cidr", _("%(cidr)s is not a CIDR block such as 10.1.2.0/24.") % {"cidr": cidr}
        ) from None
    if network.num_addresses > 65536:
        raise UserError("cidr_too_wide", _("%(cidr)s is wider than a /16.") % {"cidr": cidr})
    check_port_spec(ports)
    with transaction.atomic():
        site = do_create_site(org, site_name, actor)
        if Network.objects.filter(organisation=org, cidr=str(network)).exists():
            raise UserError(
                "network_exists", _("%(cidr)s is registered already.") % {"cidr": network}
            )
        created = Network.objects.create(
            organisation=org, site=site, zone=zone, cidr=str(network), ports=ports
        )
        audit(org, actor, "network.add", str(network), zone=zone, site=site.name)
    return created


def do_delete_network(network: Network, actor: Any) -> None:
    with transaction.atomic():
        audit(network.organisation, actor, "network.delete", network.cidr)
        network.delete()


def resolve_targets(org: Organisation, targets: list[str]) -> dict[Network, list[str]]:
    """Addresses to scan grouped by registered network; refuses anything out of scope.

    This runs before any packet is sent: a refusal here means nothing left the box.
    """
    networks = list(Network.objects.filter(organisation=org))
    try:
        addresses = check_scope(targets, [n.cidr for n in networks])
    except OutOfScope as refused:
        message = scope_refusal(refused.code, refused.target)
        raise UserError("out_of_scope", message, status=403) from None
    by_cidr = {n.cidr: n for n in networks}
    grouped: dict[Network, list[str]] = {}
    for address in addresses:
        holder = network_of(address, list(by_cidr))
        assert holder is not None  # check_scope guaranteed it
        grouped.setdefault(by_cidr[str(holder)], []).append(str(address))
    return grouped
