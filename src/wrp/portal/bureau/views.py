"""The bureau portal (issue 5 §5): the district bureau's approval queue for `initial` and `renewal` with the bureau's
actions on the shared case page (`portal/case/_actions_bureau_approver.html`), and quota grants per unit and year.
Late releases, penalties and random audits of real employment are in `oversight.py`.

Every page is for the bureau approver alone. Every change goes through its one service (`case_approve`,
`case_reject`, `quota_grant`); a refusal comes back in words on the page it was asked from. Irreversible actions
state their consequence next to a box to tick (UI.md §Irreversible actions); forms only check the shape of what was
typed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from wrp.accounts.models import Role
from wrp.cases.kinds import BUREAU_KINDS, kind_of
from wrp.cases.models import Case, CaseState
from wrp.cases.selectors import cases_filtered
from wrp.cases.services import case_approve, case_reject
from wrp.core.errors import Invalid, ServiceError
from wrp.core.keyset import CappedCount, KeysetPage, counted_with, keyset_page, keyset_result, keyset_window
from wrp.core.prepared import Prepared, PreparedEach
from wrp.core.urls import url_for_each
from wrp.portal.bureau.forms import ApproveForm, GrantForm, QueueFilterForm, QuotaFilterForm, RejectForm
from wrp.portal.case_page import case_context
from wrp.portal.clerk.forms import LIST_FORM_RENDERER
from wrp.portal.common.access import case_or_404, quota_request_or_404, role_required
from wrp.portal.common.presenters import (
    COUNT_CAP,
    PAGE_SIZE,
    PARTY_COLUMNS,
    Listing,
    Shared,
    case_list_rows,
    case_rows,
    escaped,
    figures,
    keyset_listing,
    paginate,
    person_cell,
    query_without,
    words_of,
)
from wrp.portal.common.refusals import form_add_refusal, refusal_text
from wrp.portal.templatetags.portal import clock_badge, kind_label
from wrp.public.templatetags.wrp_format import cn_date
from wrp.quotas.models import QuotaLedger, QuotaRequest, QuotaRequestState
from wrp.quotas.selectors import quota_requests_visible_to, quota_status
from wrp.quotas.services import quota_grant
from wrp.units.models import Penalty, PenaltyKind, Unit
from wrp.units.selectors import normalised_code, units_visible_to

QUEUE_KINDS = tuple(sorted(BUREAU_KINDS))
approver_only = role_required(Role.BUREAU_APPROVER)

def _reviewed(user: Any, case: Case) -> bool:
    reviewers = (getattr(case, "reviewed_by_id", None), getattr(case, "forwarded_by_id", None))
    return getattr(user, "pk", None) in reviewers



# --- the approval queue ---------------------------------------------------------------------------------------------

QUEUE_ORDERS = {"due": ("due_on", "accepted_on", "id"), "submitted": ("accepted_on", "id")}
# What a row shows beyond a case list's own columns (`_marks`): the reasons accepted for `review` outcomes, who
# reviewed and who forwarded the case.
QUEUE_ROW_FIELDS = ("review_reasons", "reviewed_by", "forwarded_by__id", "forwarded_by__username",
                    "forwarded_by__real_name")
# What the page's rows read (`_queue_rows`): the case's own columns that the row, its clock and marks and the orders
# need, and its unit's, applicant's and forwarding clerk's as values of the same query — one model instance a row.
ROW_FIELDS = (
    "id", "public_id", "kind", "state", "version", "review_reasons", "reviewed_by", "forwarded_by", "unit",
    "applicant", "time_limit", "accepted_on", "due_on", "paused_on", "days_left_at_pause", "clock_provisional",
    "decided_at",
)
ROW_JOINED = {
    **PARTY_COLUMNS,
    "forwarder_real_name": F("forwarded_by__real_name"),
    "forwarder_username": F("forwarded_by__username"),
}


def _queue_cases(user: Any, *, kind: str, unit: str) -> QuerySet[Case]:
    """Cases awaiting the bureau (initial, renewal), narrowed by kind and unit. Paged by keyset in `QUEUE_ORDERS` (a
    pending case's clock always runs: the due date alone orders it)."""
    cases = cases_filtered(user, kind=kind or None, state=CaseState.PENDING_APPROVAL, unit=unit or None)
    return cases.filter(kind__in=QUEUE_KINDS)


def _queue(user: Any, *, kind: str, unit: str) -> QuerySet[Case]:
    """The queue's cases with their unit, applicant and forwarding clerk joined (the exports' rows, `wrp.exports`)."""
    return case_list_rows(_queue_cases(user, kind=kind, unit=unit).select_related("forwarded_by"), *QUEUE_ROW_FIELDS)


def _shown(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The queue's rows as `_queue_rows` reads them, each carrying the number of cases (`counted_with`)."""
    return counted_with(cases.select_related(None).only(*ROW_FIELDS).annotate(**ROW_JOINED), cases)


def _first_page(order: tuple[str, ...]) -> Prepared[Case]:
    """The first page of the queue in `order` when nothing narrows it, the page the bureau opens all day: its
    statement compiled once per process (wrp.core.prepared; an approver sees every case, no user in it)."""
    def build(user: int) -> QuerySet[Case]:
        approver = get_user_model().stand_in(user, Role.BUREAU_APPROVER)
        return keyset_window(_shown(_queue_cases(approver, kind="", unit="")), order=order, after=None, size=PAGE_SIZE)

    return Prepared(build, unused=("user",), user=int)


FIRST_PAGES = {sort: _first_page(order) for sort, order in QUEUE_ORDERS.items()}
# the active penalties of the units of a page's cases (their ids bound), kinds in order
PENALTIES = PreparedEach(lambda units: Penalty.objects.filter(active=True, unit_id__in=units).order_by(
    "kind", "id").values("unit_id", "kind"))


def _penalties(cases: list[Case]) -> dict[int, list[str]]:
    """The kinds of the active penalties of each unit of the page's cases, in one query (none for an empty page)."""
    units = sorted({case.unit_id for case in cases})
    kinds: dict[int, list[str]] = {}
    for penalty in PENALTIES.rows(units) if units else ():
        kinds.setdefault(penalty["unit_id"], []).append(penalty["kind"])
    return kinds


def _marks(case: Case, user: Any, penalties: list[str]) -> list[tuple[str, str]]:
    """What deserves attention before opening the case, each in words (a colour never stands alone)."""
    marks = []
    if case.review_reasons:
        n = len(case.review_reasons)
        marks.append(("review", ngettext("%(n)s 项需人工审核（窗口已说明理由）", "%(n)s 项需人工审核（窗口已说明理由）", n)
                      % {"n": n}))
    if case.version > 1:
        marks.append(("info", gettext("补正后第 %(n)s 次提交") % {"n": case.version}))
    for kind in penalties:
        marks.append(("fail", gettext("单位处罚：%(kind)s") % {"kind": PenaltyKind(kind).label}))
    if _reviewed(user, case):
        marks.append(("fail", gettext("您审核过此案，不能审批")))
    return marks


def _queue_rows(cases: list[Case], user: Any) -> list[dict[str, Any]]:
    """The page's cases as rows of what each cell prints (the texts escaped here, once), with no query beyond the
    units' penalties: the clock is arithmetic on the case's own fields."""
    case_url = url_for_each("portal:case")
    penalties = _penalties(cases)
    shared = Shared()
    forwarded = gettext("%(who)s 上报")
    labels = words_of(ROW_LABELS)
    rows = []
    for row in case_rows(cases, timezone.localdate()):
        case = row["case"]
        public_id = escaped(case.public_id)
        applicant = case.applicant_id is not None
        row = {
            "case": case,
            "id": public_id,
            "url": case_url(public_id),
            "kind": shared(kind_label, case.kind),
            "unit": escaped(case.unit_name),
            "credit_code": escaped(case.unit_credit_code),
            "applicant": escaped(case.applicant_real_name or case.applicant_username) if applicant else None,
            "id_number": escaped(case.applicant_id_number) if applicant else "",
            "clock": shared(clock_badge, row["clock"]),
            "forwarded": SafeString(forwarded % {"who": escaped(case.forwarder_real_name or case.forwarder_username)})
            if case.forwarded_by_id is not None else "",
            "marks": [(tone, escaped(text)) for tone, text in _marks(case, user, penalties.get(case.unit_id, []))],
        }
        row["html"] = _row_html(row, labels)
        rows.append(row)
    return rows


# A row as portal/bureau/queue.html printed it a cell at a time (with the loop's whitespace around it), from the cells
# escaped above: one format a row instead of some thirty template lookups.
ROW = """
    <tr>
      <td data-label="{l_id}"><a class="mono" href="{url}">{id}</a></td>
      <td data-label="{l_kind}">{kind}</td>
      <td data-label="{l_unit}">{unit}<br><span class="mono">{credit_code}</span></td>
      <td data-label="{l_applicant}">{applicant}</td>
      <td data-label="{l_clock}">{clock}{forwarded}</td>
      <td data-label="{l_marks}">{marks}</td>
    </tr>
  """
ROW_LABELS = {"l_id": gettext_noop("案件编号"), "l_kind": gettext_noop("事项"), "l_unit": gettext_noop("单位"),
              "l_applicant": gettext_noop("申请人"), "l_clock": gettext_noop("办理时限"), "l_marks": gettext_noop("提示")}


def _row_html(row: dict[str, Any], labels: dict[str, str]) -> SafeString:
    """A row's <tr>: the applicant with the masked ID number (a dash for a unit's item), who forwarded it under the
    clock, the marks (a dash without any)."""
    applicant = person_cell(row["applicant"], row["id_number"], "—")
    marks = "".join(f'<span class="bureau-mark bureau-mark-{escaped(tone)}">{text}</span>' for tone, text in row["marks"])
    return SafeString(ROW.format_map({
        **labels, **row, "applicant": applicant, "marks": marks or '<span class="muted">—</span>',
        "url": escaped(row["url"]),
        "forwarded": f'<br><span class="muted">{row["forwarded"]}</span>' if row["forwarded"] else "",
    }))


@approver_only
def bureau_queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilterForm(request.GET, renderer=LIST_FORM_RENDERER)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    kind, unit = chosen.get("kind", ""), chosen.get("unit", "")
    sort = chosen.get("sort") or "due"
    order, user = QUEUE_ORDERS[sort], request.user.pk
    # the statements are built only for a page that is not a compiled first page: an empty queue's count, a deeper
    # or a narrowed page
    cases = SimpleLazyObject(lambda: _queue_cases(request.user, kind=kind, unit=unit))

    def fetch(cursor: str | None) -> KeysetPage:
        if cursor is None and not (kind or unit):
            return keyset_result(FIRST_PAGES[sort].rows(user=user), order=order, size=PAGE_SIZE)
        return keyset_page(_shown(cases), order=order, after=cursor, size=PAGE_SIZE)

    listing = keyset_listing(request, cases, fetch=fetch)
    context = {"filters": filters, "listing": listing, "rows": _queue_rows(listing.items, request.user),
               "filtered": bool(kind or unit)}
    return render(request, "portal/bureau/queue.html", context)


# --- case actions ---------------------------------------------------------------------------------------------------


def _case_page(request: HttpRequest, case: Case, **bureau: Any) -> HttpResponse:
    """The shared case page again, with this role's forms as submitted and what went wrong."""
    context = case_context(request, case)
    context["bureau"] = bureau
    return render(request, "portal/case/detail.html", context)


@approver_only
@require_POST
def bureau_case_approve(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, approve_form=form)
    try:
        case = case_approve(case=case, actor=request.user)
    except ServiceError as error:
        return _case_page(request, case, refusal=refusal_text(error))
    if kind_of(case).needs_quota and case.permit is not None:  # of the bureau's items, initial: a new permit
        text = gettext("已批准 %(case)s：工作居住证 %(number)s 已签发，有效期至 %(until)s。")
        messages.success(request, text % {"case": case.public_id, "number": case.permit.number,
                                          "until": cn_date(case.permit.valid_until)})
    else:
        messages.success(request, gettext("已批准 %(case)s。") % {"case": case.public_id})
    return redirect("portal:bureau_queue")


@approver_only
@require_POST
def bureau_case_reject(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, reject_form=form)
    try:
        case_reject(case=case, actor=request.user, reason=form.cleaned_data["reason"])
    except ServiceError as error:
        if isinstance(error, Invalid):
            form_add_refusal(form, error)
            return _case_page(request, case, reject_form=form)
        return _case_page(request, case, refusal=refusal_text(error), reject_form=form)
    messages.success(request, gettext("已决定不予通过 %(case)s，理由已告知单位和申请人。") % {"case": case.public_id})
    return redirect("portal:bureau_queue")


LEDGER_PAGE = 50  # units a page of the year's ledger table
LEDGER_ORDER = ("name", "id")  # by unit name: the index unit_name_id serves it, the ledger joined by (unit, year)


def _ledger_units(user: Any, year: int, *, unit: str = "") -> QuerySet[Unit]:
    """The units with a ledger for the year (narrowed to a part of their name or credit code), each with its
    granted, reserved and used and whether its quota is frozen: one row per unit, the ledger joined by the unique
    (unit, year), only the columns the table shows."""
    ledger = FilteredRelation("quota_ledgers", condition=Q(quota_ledgers__year=year))
    frozen = Exists(Penalty.objects.filter(unit_id=OuterRef("pk"), active=True, kind=PenaltyKind.QUOTA_FROZEN))
    units = units_visible_to(user).annotate(ledger=ledger).filter(ledger__isnull=False)
    if unit:
        units = units.filter(Q(name__icontains=unit) | Q(credit_code__contains=normalised_code(unit)))
    return units.only("id", "name", "credit_code").annotate(
        granted=F("ledger__granted"), reserved=F("ledger__reserved"), used=F("ledger__used"), frozen=frozen)


def _year_figures(year: int, **counts: Any) -> dict[str, Any]:
    """The year's totals over every unit's ledger — how many units, granted, reserved, used: one aggregate, one
    pass over the year's ledgers — with `counts` (one-value subqueries) read in the same query. A year without
    ledgers has no group to aggregate: zeros, and `counts` read on their own (`ledgers` False: nothing to list)."""
    totals = (QuotaLedger.objects.filter(year=year).order_by().values("year")
              .annotate(units=Count("id"), granted=Sum("granted"), reserved=Sum("reserved"), used=Sum("used"), **counts))
    row = next(iter(totals), None)
    if row is None:
        return {"units": 0, "granted": 0, "reserved": 0, "used": 0, **figures(**counts), "ledgers": False}
    return {**row, "ledgers": True}


@approver_only
def bureau_quotas(request: HttpRequest) -> HttpResponse:
    """The quota requests of a year (`?page=`), and the year's ledger of every unit a page of `LEDGER_PAGE` at a
    time by unit name (keyset `?after=`, searchable by unit), with the year's totals. Three queries whatever the
    number of units (issue 14): the figures (the year's totals, with the requests listed and pending and the units
    the search matched), the page of requests, the page of ledgers."""
    this_year = timezone.localdate().year
    filters = QuotaFilterForm(request.GET)
    year, state, unit = this_year, "pending", ""
    if filters.is_valid():
        year = filters.cleaned_data["year"] or this_year
        state = filters.cleaned_data["state"] or "pending"
        unit = (filters.cleaned_data["unit"] or "").strip()
    visible = quota_requests_visible_to(request.user)
    listed = Q(year=year) if state == "all" else Q(year=year, state=state)
    ledgers = _ledger_units(request.user, year, unit=unit)
    numbers = _year_figures(
        year, listed=CappedCount(visible.filter(listed)),
        pending=CappedCount(visible.filter(state=QuotaRequestState.PENDING)),
        **({"matched": CappedCount(ledgers)} if unit else {}),
    )
    matched = numbers.get("matched", numbers["units"])  # without a search the table lists every ledger of the year
    requests = visible.filter(listed).select_related("requested_by", "decided_by")
    requests = requests.order_by("requested_at", "id") if state == "pending" else requests.order_by("-requested_at")
    if numbers["ledgers"]:
        listing = keyset_listing(request, ledgers, order=LEDGER_ORDER, size=LEDGER_PAGE, counted=False)
    else:  # the year has no ledger: nothing to ask the database for
        listing = Listing(items=[], next_query=None, prev_query=None, first_query=None, total=0, more=False)
    listing = replace(listing, total=min(matched, COUNT_CAP), more=matched > COUNT_CAP)
    totals = {name: numbers[name] for name in ("units", "granted", "reserved", "used")}
    totals.update(left=totals["granted"] - totals["reserved"] - totals["used"])
    context = {
        "filters": filters, "year": year, "state": state, "unit": unit,
        "years": [this_year - 1, this_year, this_year + 1],
        "page_obj": paginate(request, requests, counted=numbers["listed"]),
        "ledgers": [{"unit": row, "left": row.granted - row.reserved - row.used, "frozen": row.frozen}
                    for row in listing.items],
        "listing": listing, "totals": totals,
        "query": query_without(request, "page"), "pending_count": min(numbers["pending"], COUNT_CAP),
    }
    return render(request, "portal/bureau/quotas.html", context)


@approver_only
@require_http_methods(["GET", "POST"])
def bureau_quota_grant(request: HttpRequest, pk: int) -> HttpResponse:
    quota_request: QuotaRequest = quota_request_or_404(request, pk)
    form = GrantForm(request.POST if request.method == "POST" else None, initial={"granted": quota_request.requested})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            quota_grant(request=quota_request, actor=request.user, granted=form.cleaned_data["granted"])
        except Invalid as error:
            form_add_refusal(form, error)
        except ServiceError as error:
            refusal = refusal_text(error)
        else:
            text = gettext("已向 %(unit)s 下发 %(year)s 年度指标 %(n)s 个。")
            messages.success(request, text % {"unit": quota_request.unit.name, "year": quota_request.year,
                                              "n": form.cleaned_data["granted"]})
            return redirect(f"{reverse('portal:bureau_quotas')}?year={quota_request.year}")
    history = quota_requests_visible_to(request.user).filter(unit=quota_request.unit).exclude(pk=quota_request.pk)
    context = {
        "quota_request": quota_request, "form": form, "refusal": refusal,
        "status": quota_status(quota_request.unit, quota_request.year),
        "history": history.select_related("decided_by").order_by("-requested_at")[:10],
    }
    return render(request, "portal/bureau/quota_grant.html", context)

