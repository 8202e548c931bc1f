"""Who is asking: the client address the rate limits count, from the peer and the proxies we trust.

`X-Forwarded-For` is believed only when the peer is one of `forwarded_allow_ips` (addresses or
networks). Each trusted proxy appends the address it saw, so the list is read from the right:
the first address that is not a trusted proxy is the client. Anything to its left was written
by the client itself and is ignored; with no trusted proxy configured, the header is ignored.
"""

from __future__ import annotations

import ipaddress
from typing import Iterable, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


def parse_networks(spec: str) -> tuple[Network, ...]:
    """`"127.0.0.1, 10.0.0.0/8"` as networks; raises ValueError naming a wrong entry."""
    out = []
    for item in (x.strip() for x in spec.split(",")):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"'{item}' is not an IP address or network (write 127.0.0.1 or 10.0.0.0/8)") from None
    return tuple(out)


def _trusted(address: str, proxies: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str:
    """The address a request is counted under (see the module's note)."""
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]
    return hops[0][:64] if hops else peer
