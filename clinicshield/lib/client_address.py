"""The address of the client a request came from, also behind our own reverse proxies."""

import ipaddress


def client_address(remote_addr: str | None, forwarded_for: str, proxy_hops: int) -> str | None:
    """The client's address: the peer's, or the one our `proxy_hops` proxies saw.

    Behind reverse proxies the peer is the proxy, so the client is read from X-Forwarded-For,
    counting from the right as many entries as there are proxies we trust (what each of them
    appended); entries further left are the client's own say and are never believed. None
    when that entry is not an address (a proxy count set higher than the real one)."""
    if proxy_hops <= 0:
        return remote_addr or None
    hops = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if len(hops) < proxy_hops:
        return remote_addr or None  # not through all our proxies: the peer is all we know
    try:
        return str(ipaddress.ip_address(hops[-proxy_hops]))
    except ValueError:
        return None
