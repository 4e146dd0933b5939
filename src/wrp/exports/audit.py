"""The bureau's audit extract (issue 15 §4): the audit trail's events narrowed by day, action, object and actor,
newest first, a keyset page at a time on screen (`/bureau/audit-events/`) and whole as CSV or Excel.

The bureau approver alone reads it. The events carry ids, roles, actions and the names of what changed — never raw
personal data (`wrp.audit.services.audit_record`) — so the extract shows them as they are, with the chain's hash.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.core.days import day_start
from wrp.portal.common.access import role_required
from wrp.portal.common.presenters import keyset_listing

AUDIT_ORDER = ("-id",)  # newest first: the primary key's own index


class AuditFilter(forms.Form):
    start = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.CharField(label=_("操作（开头相同即可，如 case.）"), required=False, max_length=60)
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=40)
    object_id = forms.CharField(label=_("对象"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人用户名"), required=False, max_length=150)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return data


def audit_events_filtered(user: Any, params: QueryDict) -> QuerySet[AuditEvent]:
    """The events the bureau approver asked for (`AuditFilter`'s fields; a bad value is ignored); none for anyone
    else."""
    if getattr(user, "role", None) != Role.BUREAU_APPROVER or not user.is_active:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.select_related("actor").only(
        "id",
        "seq",
        "at",
        "actor__id",
        "actor__username",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "request_id",
        "changes",
        "hash",
    )
    form = AuditFilter(params)
    chosen = {name: value for name, value in form.cleaned_data.items() if value} if form.is_valid() else {}
    if "start" in chosen:
        events = events.filter(at__gte=day_start(chosen["start"]))
    if "end" in chosen:
        events = events.filter(at__lt=day_start(chosen["end"] + timedelta(days=1)))
    if "action" in chosen:
        events = events.filter(action__startswith=chosen["action"].strip())
    if "object_type" in chosen:
        events = events.filter(object_type=chosen["object_type"].strip())
    if "object_id" in chosen:
        events = events.filter(object_id=chosen["object_id"].strip())
    if "actor" in chosen:
        events = events.filter(actor__username=chosen["actor"].strip())
    return events


@role_required(Role.BUREAU_APPROVER)
def bureau_audit_events(request: HttpRequest) -> HttpResponse:
    form = AuditFilter(request.GET or None)
    if form.is_bound:
        form.is_valid()
    listing = keyset_listing(request, audit_events_filtered(request.user, request.GET), order=AUDIT_ORDER, size=50)
    filtered = any(request.GET.get(name) for name in AuditFilter.base_fields)
    return render(request, "exports/audit_events.html", {"form": form, "listing": listing, "filtered": filtered})
