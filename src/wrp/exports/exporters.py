"""What each list exports (issue 15 §4): one `Exporter` per list — who may download it, its columns (header and how a
row gives its value) and its rows — registered in `EXPORTERS` under the name its address carries
(`/exports/<name>.csv|xlsx`).

The rows are those the page shows, narrowed by the same filters read from the same query string, through the same
selectors (`wrp.portal.clerk.views.listing_cases`, `wrp.portal.unit.cases.unit_cases_filtered`, the bureau's queue and
ledger, `associations_visible_to`, `audit_events_filtered`), in the page's order and with the columns a list row
reads (no wide JSON, the related rows joined), so an export costs a fixed number of queries per `CHUNK` rows. Resident
ID numbers are exported as the pages show them: masked (`id_number_masked`); no list role needs the whole number
(the clerk reveals one on the case page, audited).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.cases import clock
from wrp.cases.acceptance import acceptance_view
from wrp.cases.models import Acceptance, Case, CaseState
from wrp.cases.selectors import QUEUE_ORDER, queue_ordered
from wrp.employment.selectors import associations_visible_to
from wrp.exports.writers import Column
from wrp.permits.selectors import permits_visible_to
from wrp.portal.common.presenters import case_list_rows, local_day, permit_status_label
from wrp.portal.templatetags.portal import kind_label, subtype_label
from wrp.units.models import AssociationState
from wrp.units.selectors import units_handled_by

Rows = list[QuerySet[Any] | list[Any]]


@dataclass(frozen=True)
class Exporter:
    """A list's export: its file name and sheet title, the roles that may download it, its columns, and its rows
    (one or more querysets read one after another, in the page's order) for the request's filters."""

    name: str
    title: str | Promise
    roles: tuple[str, ...]
    columns: Callable[[], list[Column]]
    rows: Callable[[HttpRequest], Rows]


def _name(user: Any) -> str:
    return (user.real_name or user.username) if user is not None else ""


def _applicant(case: Case) -> str:
    return _name(case.applicant) if case.applicant_id else str(_("单位事项"))


def _per_row(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`read(row)` computed once per row however many columns use it (the columns of a row are read in turn)."""
    last: list[Any] = [None, None]

    def cached(row: Any) -> Any:
        if last[0] is not row:
            last[0], last[1] = row, read(row)
        return last[1]

    return cached


def case_columns(*extra: Column, unit: bool = True, id_number: bool = True) -> list[Column]:
    """The columns every case list shares (its row's own fields), then `extra`. The day, the words of the states
    and of acceptance are read once per export; a row's clock once per row."""
    today = timezone.localdate()
    states = {value: str(label) for value, label in CaseState.choices}
    accepted = {value: str(label) for value, label in Acceptance.choices}
    clock_of = _per_row(lambda case: clock.view(case, today=today))
    columns = [
        Column(_("案件编号"), lambda case: case.public_id),
        Column(_("事项"), lambda case: kind_label(case.kind)),
        Column(_("变更类型"), lambda case: subtype_label(case.subtype) if case.subtype else ""),
    ]
    if unit:
        columns += [
            Column(_("单位"), lambda case: case.unit.name),
            Column(_("统一社会信用代码"), lambda case: case.unit.credit_code),
        ]
    columns.append(Column(_("申请人"), _applicant))
    if id_number:
        columns.append(
            Column(_("身份证号码"), lambda case: case.applicant.id_number_masked if case.applicant_id else "")
        )
    columns += [
        Column(_("状态"), lambda case: states.get(case.state, case.state)),
        Column(_("受理"), lambda case: accepted.get(acceptance_view(case, today=today).how or "", "")),
        Column(_("办理截止日期"), lambda case: clock_of(case).due),
        Column(_("剩余工作日"), lambda case: clock_of(case).working_days_left),
        Column(_("开立时间"), lambda case: case.created_at),
    ]
    return [*columns, *extra]


# --- the window clerk: the queue and every case -------------------------------------------------------------------


def _clerk_rows(request: HttpRequest, *, queue: bool) -> Rows:
    from wrp.portal.clerk.views import AWAITING_ORDER, CLAIM_ROW_FIELDS, NEWEST_ORDER, _awaiting, listing_cases

    _form, cases, sort, _filtered = listing_cases(request, queue=queue)
    cases = case_list_rows(cases.select_related("claimed_by"), *CLAIM_ROW_FIELDS)
    if sort != "due":
        return [cases.order_by(*NEWEST_ORDER)]
    awaiting = _awaiting(timezone.localdate())  # the page's two runs: awaiting acceptance first, then by due date
    return [
        cases.filter(awaiting).order_by(*AWAITING_ORDER),
        queue_ordered(cases.exclude(awaiting)).order_by(*QUEUE_ORDER),
    ]


def _clerk_columns() -> list[Column]:
    return case_columns(
        Column(_("认领人"), lambda case: _name(case.claimed_by) if case.claimed_by_id else ""),
        Column(_("认领时间"), lambda case: case.claimed_at),
    )


# --- the bureau: the approval queue and the quota ledger ----------------------------------------------------------


def _bureau_queue_rows(request: HttpRequest) -> Rows:
    from wrp.portal.bureau.forms import QueueFilterForm
    from wrp.portal.bureau.views import QUEUE_ORDERS, _queue

    filters = QueueFilterForm(request.GET)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    cases = _queue(request.user, kind=chosen.get("kind", ""), unit=chosen.get("unit", ""))
    return [cases.order_by(*QUEUE_ORDERS[chosen.get("sort") or "due"])]


def _bureau_queue_columns() -> list[Column]:
    return case_columns(
        Column(_("提交次数"), lambda case: case.version),
        Column(_("需人工审核项"), lambda case: len(case.review_reasons or {})),
        Column(_("转报人"), lambda case: _name(case.forwarded_by) if case.forwarded_by_id else ""),
    )


def _ledger_rows(request: HttpRequest) -> Rows:
    from wrp.portal.bureau.forms import QuotaFilterForm
    from wrp.portal.bureau.views import LEDGER_ORDER, _ledger_units

    filters = QuotaFilterForm(request.GET)
    year, unit = timezone.localdate().year, ""
    if filters.is_valid():
        year = filters.cleaned_data["year"] or year
        unit = (filters.cleaned_data["unit"] or "").strip()
    units = _ledger_units(request.user, year, unit=unit).order_by(*LEDGER_ORDER)
    return [units.annotate(ledger_year=_constant(year))]


def _constant(year: int) -> Any:
    from django.db.models import IntegerField, Value

    return Value(year, output_field=IntegerField())


def ledger_columns(year: Callable[[Any], Any]) -> list[Column]:
    return [
        Column(_("单位"), lambda row: row.name),
        Column(_("统一社会信用代码"), lambda row: row.credit_code),
        Column(_("年度"), year),
        Column(_("下发"), lambda row: row.granted),
        Column(_("占用中"), lambda row: row.reserved),
        Column(_("已使用"), lambda row: row.used),
        Column(_("剩余"), lambda row: row.granted - row.reserved - row.used),
        Column(_("指标冻结"), lambda row: bool(row.frozen)),
    ]


# --- the unit: its cases, its employees, its quota ----------------------------------------------------------------


def _unit_cases_rows(request: HttpRequest) -> Rows:
    from wrp.portal.unit.cases import CASE_ORDERS, unit_cases_filtered

    cases, sort, _filters = unit_cases_filtered(request)
    return [case_list_rows(cases).order_by(*CASE_ORDERS[sort])]


PERMIT_SHOWN = ("number", "status", "valid_until")


def _employees_rows(request: HttpRequest) -> Rows:
    """The employees in post (the page's main list), newest first by their start, with their permit with the unit."""
    user = request.user
    permit = (
        permits_visible_to(user)
        .filter(holder_id=OuterRef("applicant_id"), unit_id=OuterRef("unit_id"))
        .order_by("-issued_on", "-id")
    )
    rows = (
        associations_visible_to(user)
        .filter(state=AssociationState.ACTIVE)
        .defer("applicant__id_number_encrypted", "unit__annual_tax", "unit__qualifications")
        .annotate(
            since=ExpressionWrapper(F("decided_at"), output_field=DateTimeField()),
            **{f"permit_{name}": Subquery(permit.values(name)[:1]) for name in PERMIT_SHOWN},
        )
    )
    return [rows.order_by("-since", "-id")]


def _employees_columns() -> list[Column]:
    return [
        Column(_("员工"), lambda row: _name(row.applicant)),
        Column(_("身份证号码"), lambda row: row.applicant.id_number_masked),
        Column(_("单位"), lambda row: row.unit.name),
        Column(_("关联日期"), lambda row: local_day(row.since)),
        Column(_("离职日期"), lambda row: row.left_on),
        Column(_("工作居住证编号"), lambda row: row.permit_number or ""),
        Column(_("证件状态"), lambda row: permit_status_label(row.permit_status) if row.permit_status else ""),
        Column(_("有效期至"), lambda row: row.permit_valid_until),
    ]


def _unit_quota_rows(request: HttpRequest) -> Rows:
    """The handler's units' ledgers for this year and the next (the quota page's table), by unit name."""
    from wrp.portal.bureau.views import _ledger_units

    today = timezone.localdate()
    handled = units_handled_by(request.user).values("pk")
    return [
        _ledger_units(request.user, year)
        .filter(pk__in=handled)
        .order_by("name", "id")
        .annotate(ledger_year=_constant(year))
        for year in (today.year, today.year + 1)
    ]


# --- the bureau's audit extract -----------------------------------------------------------------------------------


def _audit_rows(request: HttpRequest) -> Rows:
    from wrp.exports.audit import AUDIT_ORDER, audit_events_filtered

    return [audit_events_filtered(request.user, request.GET).order_by(*AUDIT_ORDER)]


def _audit_columns() -> list[Column]:
    import json

    return [
        Column(_("序号"), lambda event: event.seq),
        Column(_("时间"), lambda event: event.at),
        Column(_("操作人"), lambda event: event.actor.username if event.actor_id else ""),
        Column(_("角色"), lambda event: event.actor_role),
        Column(_("操作"), lambda event: event.action),
        Column(_("对象类型"), lambda event: event.object_type),
        Column(_("对象"), lambda event: event.object_id),
        Column(_("结果"), lambda event: event.outcome),
        Column(_("请求编号"), lambda event: event.request_id),
        Column(_("变更"), lambda event: json.dumps(event.changes, ensure_ascii=False, sort_keys=True)),
        Column(_("哈希"), lambda event: event.hash or ""),
    ]


EXPORTERS: dict[str, Exporter] = {
    exporter.name: exporter
    for exporter in (
        Exporter(
            "clerk-queue",
            _("待审队列"),
            (Role.WINDOW_CLERK,),
            _clerk_columns,
            lambda request: _clerk_rows(request, queue=True),
        ),
        Exporter(
            "clerk-cases",
            _("全部案件"),
            (Role.WINDOW_CLERK,),
            _clerk_columns,
            lambda request: _clerk_rows(request, queue=False),
        ),
        Exporter("bureau-queue", _("待审批案件"), (Role.BUREAU_APPROVER,), _bureau_queue_columns, _bureau_queue_rows),
        Exporter(
            "bureau-quotas",
            _("指标台账"),
            (Role.BUREAU_APPROVER,),
            lambda: ledger_columns(lambda row: row.ledger_year),
            _ledger_rows,
        ),
        Exporter("audit-events", _("审计日志"), (Role.BUREAU_APPROVER,), _audit_columns, _audit_rows),
        Exporter("unit-cases", _("本单位案件"), (Role.UNIT_HANDLER,), lambda: case_columns(), _unit_cases_rows),
        Exporter("unit-employees", _("在职员工"), (Role.UNIT_HANDLER,), _employees_columns, _employees_rows),
        Exporter(
            "unit-quota",
            _("指标台账"),
            (Role.UNIT_HANDLER,),
            lambda: ledger_columns(lambda row: row.ledger_year),
            _unit_quota_rows,
        ),
    )
}


def rows_of(parts: Rows, chunk: int) -> Iterable[Any]:
    """The rows of every part one after another, a queryset read `chunk` rows a query."""
    return chain.from_iterable(
        part.iterator(chunk_size=chunk) if isinstance(part, QuerySet) else part for part in parts
    )
