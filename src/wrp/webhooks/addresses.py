"""Which webhook addresses may be called (SSRF): `https://` to a public address only; `WEBHOOK_ALLOW_LOCAL` (tests,
development) also allows `http://` and private or loopback addresses. The address is checked when it is saved and
again, resolved, when it is called — and the call connects to the address that was checked (no second resolution).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from wrp.core.errors import Invalid


def allow_local() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOCAL", False))


def url_check(url: str) -> None:
    """Invalid (naming `url`) unless the address is acceptable as written (scheme, host, no credentials)."""
    parts = urlsplit(url.strip())
    schemes = ("https", "http") if allow_local() else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise Invalid({"url": _("接收地址必须以 https:// 开头。")}, code="webhook_url_refused")
    if parts.username or parts.password:
        raise Invalid({"url": _("接收地址不能包含用户名或密码。")}, code="webhook_url_refused")
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        if parts.hostname in ("localhost",) or parts.hostname.endswith(".localhost"):
            address = ipaddress.ip_address("127.0.0.1")
        else:
            return
    if not allowed_ip(address):
        raise Invalid({"url": _("接收地址不能是内网或本机地址。")}, code="webhook_url_refused")


def allowed_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return allow_local() or address.is_global


def resolve(host: str, port: int) -> str:
    """One resolved address of `host` that may be called; OSError when none may."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if not allowed_ip(address):
            raise OSError(f"address {address} refused (not public)")
    if not infos:
        raise OSError("host did not resolve")
    return str(infos[0][4][0])
