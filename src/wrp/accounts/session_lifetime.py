"""The absolute session lifetime: a session ends SESSION_ABSOLUTE_SECONDS (12 hours) after sign-in, however active.

The idle timeout (SESSION_COOKIE_AGE, renewed by a request once a minute at most: wrp.accounts.session_touch) ends
a session left alone; this ends one that is kept busy — a stolen session cookie is worth a working day at most. The
moment of sign-in is written into the session by the first response that sees the user signed in (the sign-in
itself). Past the lifetime the user is signed out (`session.ended` in the audit trail) and sent to the sign-in page
with a message; an API call goes on as anonymous (a bearer token still decides for itself), and an htmx request is
redirected whole (HX-Redirect).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from wrp.audit.services import audit_record, audited_atomic

SIGNED_IN_AT = "wrp_signed_in_at"
API_PREFIX = "/api/"


class AbsoluteSessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is not None and time.time() - float(signed_in_at) > settings.SESSION_ABSOLUTE_SECONDS:
                ended = self._end(request, user)
                if ended is not None:
                    return ended
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # Only a session sign-in is stamped: a bearer-token call (request.user set by the API) has no session to keep,
        # and stamping it would write a new session row and a cookie on every call.
        if (user is not None and user.is_authenticated and request.session.get(SESSION_KEY) is not None
                and SIGNED_IN_AT not in request.session):
            request.session[SIGNED_IN_AT] = time.time()
        return response

    def _end(self, request: HttpRequest, user: object) -> HttpResponse | None:
        with audited_atomic():
            audit_record(actor=user, action="session.ended", obj=user, changes={"reason": "absolute_lifetime"})
        logout(request)
        if request.path_info.startswith(API_PREFIX):
            return None  # the call goes on as anonymous: 401 unless it carries a bearer token
        hours = f"{settings.SESSION_ABSOLUTE_SECONDS / 3600:g}"
        messages.info(request, _("登录已超过 %(hours)s 小时，为安全起见请重新登录。") % {"hours": hours})
        response = redirect_to_login(request.get_full_path() if request.method == "GET" else "/")
        if request.headers.get("HX-Request") == "true":
            target = response["Location"]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
        return response
