"""Who is calling: a signed-in browser session (with CSRF on unsafe methods) or `Authorization: Bearer <token>`.

Failed token authentications are counted per client address; past `TOKEN_FAILURES_PER_MINUTE` the caller gets 429
until the minute is over, so tokens cannot be guessed at speed. Administrators have no rights in this API beyond
`/me` (contracts/cases-api.md §Identity): `actor()` refuses them with 403 everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.errors import Throttled
from ninja.security import HttpBearer, SessionAuth

from wrp.accounts.models import Role
from wrp.accounts.services import user_for_token
from wrp.core.errors import Forbidden

TOKEN_FAILURES_PER_MINUTE = 20


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        key = f"wrp:token-failures:{_client(request)}"
        if (cache.get(key) or 0) >= TOKEN_FAILURES_PER_MINUTE:
            raise Throttled(wait=60)
        user = user_for_token(token)
        if user is None:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=60)
            return None
        request.user = user
        return user


class Session(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated and user.is_active else None


AUTH = [BearerToken(), Session()]


def actor(request: HttpRequest, *, admin_allowed: bool = False) -> Any:
    """The authenticated user; an administrator is refused (403) unless the endpoint is /me."""
    user = request.auth  # type: ignore[attr-defined]
    if user.role == Role.ADMIN and not admin_allowed:
        raise Forbidden(_("系统管理员在管理后台操作，不能使用此接口。"), code="administrators_use_admin_site")
    return user
