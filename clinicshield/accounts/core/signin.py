"""Who is guessing: the address a failed sign-in is counted against.

Failures are counted per account and address, so a stranger who types wrong passwords for the
owner stops only themselves. One IPv6 customer holds a whole /64 (and can change the last half
at will), so an IPv6 address counts as its /64 network; an IPv4-mapped one as its IPv4 address.
Behind reverse proxies the client is read from X-Forwarded-For (`lib.client_address`).
"""

import ipaddress

IPV6_PREFIX = 64


def throttle_address(remote_addr: str | None) -> str | None:
    """The address failures from `remote_addr` are counted against (None when unknown)."""
    if not remote_addr:
        return None
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False).network_address)
    return str(address)
