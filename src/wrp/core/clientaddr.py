"""The client's address, as every rate limit counts it.

The peer's address (REMOTE_ADDR) unless the platform is told it sits behind a reverse proxy: TRUST_X_FORWARDED_FOR
(every peer is a proxy) or TRUSTED_PROXIES (these peers are). Then it is the right-most X-Forwarded-For address that
is not itself a trusted proxy — the one the proxy saw, not what the client wrote into the header (a client's own
entries stand to the left of those its proxies append, and are ignored).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind a trusted proxy the right-most X-Forwarded-For hop that is not a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if not (getattr(settings, "TRUST_X_FORWARDED_FOR", False) or remote in trusted):
        return remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # a hop that is not an address: nothing left of it can be trusted
        if address not in trusted:
            return address
    return remote
