"""Who is guessing: the address a failed sign-in is counted against.

Failures are counted per account and address, so a stranger who types wrong passwords for the
owner stops only themselves. One IPv6 customer holds a whole /64 (and can change the last half
at will), so an IPv6 address counts as its /64 network; an IPv4-mapped one as its IPv4 address.
Behind reverse proxies the peer is the proxy: the client is then read from X-Forwarded-For,
counting from the right as many entries as there are proxies we trust (what each of them
appended); entries further left are the client's own say and are never believed.
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


def client_address(remote_addr: str | None, forwarded_for: str, proxy_hops: int) -> str | None:
    """The client's address: the peer's, or the one our `proxy_hops` proxies saw."""
    if proxy_hops <= 0:
        return remote_addr
    hops = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if len(hops) < proxy_hops:
        return remote_addr  # not through all our proxies: the peer is all we know
    return hops[-proxy_hops]
