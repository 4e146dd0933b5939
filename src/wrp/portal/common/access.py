"""Who may open a portal page, and the objects a page shows.

`role_required` keeps each role to its own portal: a signed-in user of the named roles; everyone else gets 403
(anonymous: sign-in). Objects come from the selectors (`case_for`, `unit_for`, …), which answer NotFound for what the
user may not see; the one `<object>_or_404` helper per kind of object turns that into the page's 404, so another
person's object is indistinguishable from one that does not exist — and notes the refusal in the audit trail
(`access.denied`: the kind of object and the id asked, nothing more).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from wrp.audit.services import audit_note
from wrp.cases.models import Case
from wrp.cases.selectors import PLAIN, CaseLookup, case_for, material_file_for
from wrp.core.errors import NotFound
from wrp.documents.models import StoredFile
from wrp.employment.selectors import association_for
from wrp.quotas.models import QuotaRequest
from wrp.quotas.selectors import quota_request_for
from wrp.units.models import Association, Unit
from wrp.units.selectors import unit_for

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


def _or_404(object_type: str, lookup: Callable[..., Any], user: Any, *asked: Any) -> Any:
    try:
        return lookup(user, *asked)
    except NotFound as refusal:
        audit_note(actor=user, actor_role="" if user.is_authenticated else "anonymous", action="access.denied",
                   object_type=object_type, object_id="/".join(str(part) for part in asked)[:64], outcome="not_found",
                   changes={"code": refusal.code, "via": "portal"})
        raise Http404("not found") from None


def case_or_404(request: HttpRequest, public_id: str, *, lookup: CaseLookup = PLAIN) -> Case:
    return _or_404(Case._meta.label_lower, partial(case_for, lookup=lookup), request.user, public_id)


def material_file_or_404(request: HttpRequest, public_id: str, code: str) -> StoredFile:
    return _or_404("cases.casematerial", material_file_for, request.user, public_id, code)


def unit_or_404(request: HttpRequest, credit_code: str) -> Unit:
    return _or_404(Unit._meta.label_lower, unit_for, request.user, credit_code)


def association_or_404(request: HttpRequest, pk: int) -> Association:
    return _or_404(Association._meta.label_lower, association_for, request.user, pk)


def quota_request_or_404(request: HttpRequest, pk: int) -> QuotaRequest:
    return _or_404(QuotaRequest._meta.label_lower, quota_request_for, request.user, pk)
