"""Who is calling: a signed-in browser session (with CSRF on unsafe methods) or `Authorization: Bearer <token>`.

Failed token authentications (unknown, revoked or expired tokens) are counted per client address
(`wrp.core.clientaddr`) with the platform's one rate-limit mechanism (`wrp.core.ratelimit`); past
`RATE_LIMIT_BAD_TOKENS` (20 a minute) the address gets 429 until the window is over, whatever it sends, so tokens
cannot be guessed at speed. Administrators have no rights in this API beyond
`/me` (contracts/cases-api.md §Identity): `actor()` refuses them with 403 everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.errors import Throttled
from ninja.security import HttpBearer, SessionAuth

from wrp.accounts.models import Role
from wrp.accounts.services import user_for_token
from wrp.core.clientaddr import client_address
from wrp.core.errors import Forbidden
from wrp.core.ratelimit import limit_hit, limit_peek

BAD_TOKENS = "api:bad-token"


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        address = client_address(request)
        allowed = limit_peek(BAD_TOKENS, address, rate=settings.RATE_LIMIT_BAD_TOKENS)
        if not allowed.allowed:
            raise Throttled(wait=allowed.retry_after)
        user = user_for_token(token)
        if user is None:
            limit_hit(BAD_TOKENS, address, rate=settings.RATE_LIMIT_BAD_TOKENS)
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
