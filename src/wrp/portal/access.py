"""Who may open a portal page: a signed-in user of the named roles; everyone else gets 403 (anonymous: sign-in).

Objects on a page are fetched through the selectors (`case_for`, `unit_for`, …), which answer 404 for what the user
may not see; this decorator only keeps each role to its own portal.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound, ServiceError

View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def refusal_message(error: ServiceError) -> str:
    """A service's refusal in words for a page (the field errors go next to their fields separately)."""
    if isinstance(error, Invalid):
        return "；".join(error.fields.values())
    if isinstance(error, InvalidState):
        return f"当前状态不允许此操作 / not allowed in the current state ({error.state})"
    if isinstance(error, Forbidden | NotFound):
        return "您无权进行此操作 / you may not do this"
    return str(error)
