"""Staff confirm their session with a second factor before anything else (wrp.accounts.devices).

Placed after django-otp's OTPMiddleware (which tells whether the session is verified). A signed-in clerk, approver or
administrator whose session is not verified is sent to the code step, or to enrolment when they have no authenticator
yet, from every page but the public ones, the sign-in, sign-out and second-factor pages and the language switch. In
the API a session that is not verified counts for nothing: the request goes on as anonymous (bearer tokens decide for
themselves; public endpoints answer as to anyone) and a refusal for want of credentials says
`{"error": "unauthenticated", "code": "second_factor_required"}`.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse

from wrp.accounts.devices import second_factor_enrolled, second_factor_required, session_verified

API_PREFIX = "/api/"
OPEN_NAMESPACES = frozenset({"public"})
OPEN_VIEWS = frozenset({
    "accounts:login", "accounts:logout", "accounts:otp_verify", "accounts:otp_enrol", "set_language",
    "documents:verify",  # the permit's public QR verification page
    "oidc_authentication_init", "oidc_authentication_callback",  # unified sign-in (wrp.accounts.oidc), a door like login
})


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not second_factor_required(user) or session_verified(user):
            return self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            return self._api(request)
        if _open(request.path_info) or request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        step = "accounts:otp_verify" if second_factor_enrolled(user) else "accounts:otp_enrol"  # type: ignore[arg-type]
        target = f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)

    def _api(self, request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        response = self.get_response(request)
        if response.status_code == 401:
            return JsonResponse({"error": "unauthenticated", "code": "second_factor_required"}, status=401)
        return response


def _open(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # nothing there: the 404 page says so
    return match.namespace in OPEN_NAMESPACES or match.view_name in OPEN_VIEWS
