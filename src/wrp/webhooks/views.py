"""The webhook pages: /unit/webhooks/ (a unit's handlers, for their units) and /bureau/webhooks/ (bureau approvers,
for the bureau's own endpoints). List, add (the secret is shown once), rotate the secret (shown once), disable /
enable, the delivery log of an endpoint with each try, and redelivery. Every endpoint is fetched through
`endpoint_for` (another unit's is 404); every change goes through `wrp.webhooks.services`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wrp.accounts.models import Role
from wrp.core.errors import Invalid, NotFound, ServiceError
from wrp.units.selectors import units_handled_by
from wrp.webhooks.models import Attempt, Endpoint
from wrp.webhooks.selectors import endpoint_deliveries, endpoint_for, endpoints_visible_to
from wrp.webhooks.services import (
    EVENT_TYPES,
    delivery_redeliver,
    endpoint_create,
    endpoint_secret_rotate,
    endpoint_set_enabled,
)

SCOPES = {"unit": Role.UNIT_HANDLER, "bureau": Role.BUREAU_APPROVER}
View = Callable[..., HttpResponse]


def scoped(view: View) -> View:
    """The page of a scope ("unit" or "bureau", from the URL's kwargs) for its role only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, scope: str, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request.user, "role", None) != SCOPES[scope]:
            raise PermissionDenied
        return view(request, *args, scope=scope, **kwargs)

    return wrapped


class EndpointForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("单位"), required=False)
    url = forms.CharField(
        label=gettext_lazy("接收地址"),
        max_length=500,
        help_text=gettext_lazy("以 https:// 开头的地址，贵单位系统在此接收事件推送。"),
    )
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("事件类型"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(name, name) for name in EVENT_TYPES],
        help_text=gettext_lazy("不选表示接收全部事件。"),
    )
    description = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.credit_code: unit for unit in units}
        self.fields["unit"].choices = [(unit.credit_code, unit.name) for unit in units]
        if not units:
            del self.fields["unit"]


def _endpoint(request: HttpRequest, pk: int) -> Endpoint:
    try:
        return endpoint_for(request.user, pk)
    except NotFound:
        raise Http404("not found") from None


def _page(
    request: HttpRequest,
    scope: str,
    *,
    form: EndpointForm | None = None,
    secret: str = "",
    secret_for: Endpoint | None = None,
    status: int = 200,
) -> HttpResponse:
    units = list(units_handled_by(request.user).order_by("name")) if scope == "unit" else []
    endpoints = list(endpoints_visible_to(request.user).order_by("created_at", "id"))
    rows = [{"endpoint": endpoint, "deliveries": endpoint_deliveries(endpoint, limit=5)} for endpoint in endpoints]
    response = render(
        request,
        "webhooks/endpoints.html",
        {
            "scope": scope,
            "rows": rows,
            "form": form or EndpointForm(units=units),
            "units": units,
            "secret": secret,
            "secret_for": secret_for,
            "base": reverse(f"portal:{scope}_webhooks"),
            "home": "portal:unit_home" if scope == "unit" else "portal:bureau_queue",
        },
        status=status,
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@scoped
def webhooks_page(request: HttpRequest, *, scope: str) -> HttpResponse:
    return _page(request, scope)


@require_POST
@scoped
def webhook_add(request: HttpRequest, *, scope: str) -> HttpResponse:
    units = list(units_handled_by(request.user).order_by("name")) if scope == "unit" else []
    form = EndpointForm(request.POST, units=units)
    if form.is_valid():
        unit = form.units.get(form.cleaned_data.get("unit") or "") if scope == "unit" else None
        if scope == "unit" and unit is None:
            form.add_error("url" if not units else "unit", _("请先登记单位。"))
        else:
            try:
                endpoint, secret = endpoint_create(
                    actor=request.user,
                    unit=unit,
                    url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"],
                    description=form.cleaned_data["description"],
                )
            except Invalid as refusal:
                for field, message in refusal.fields.items():
                    form.add_error(field if field in form.fields else None, str(message))
            except ServiceError as refusal:
                form.add_error(None, str(refusal.message))
            else:
                return _page(request, scope, secret=secret, secret_for=endpoint)
    return _page(request, scope, form=form, status=422)


@require_POST
@scoped
def webhook_rotate(request: HttpRequest, pk: int, *, scope: str) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    secret = endpoint_secret_rotate(actor=request.user, endpoint=endpoint)
    return _page(request, scope, secret=secret, secret_for=endpoint)


@require_POST
@scoped
def webhook_switch(request: HttpRequest, pk: int, *, scope: str, enabled: bool) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    try:
        endpoint_set_enabled(actor=request.user, endpoint=endpoint, enabled=enabled)
    except ServiceError as refusal:
        messages.error(request, str(refusal.message))
    else:
        messages.success(request, _("接收地址已启用。") if enabled else _("接收地址已停用。"))
    return redirect(f"portal:{scope}_webhooks")


@scoped
def webhook_log(request: HttpRequest, pk: int, *, scope: str) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    deliveries = endpoint_deliveries(endpoint, limit=100)
    tries: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(delivery__in=deliveries).order_by("-at", "-id"):
        tries.setdefault(attempt.delivery_id, []).append(attempt)
    rows = [{"delivery": delivery, "tries": tries.get(delivery.pk, [])} for delivery in deliveries]
    return render(
        request,
        "webhooks/log.html",
        {"scope": scope, "endpoint": endpoint, "rows": rows, "base": reverse(f"portal:{scope}_webhooks")},
    )


@require_POST
@scoped
def webhook_redeliver(request: HttpRequest, pk: int, delivery_id: int, *, scope: str) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    try:
        delivery_redeliver(actor=request.user, endpoint=endpoint, delivery_id=delivery_id)
    except ServiceError as refusal:
        messages.error(request, str(refusal.message))
    else:
        messages.success(request, _("已重新投递。"))
    return redirect(f"portal:{scope}_webhook_log", pk=endpoint.pk)
