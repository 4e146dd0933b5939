"""The window clerk's workbench (issue 5 §4): the queue of open cases by due date, the list of every case, and the
clerk's work on a case — start the review, a verdict per material (its PDF opened in the browser's viewer), one
consolidated correction notice composed from the verdicts, a reason for each `review` outcome, approve (window items)
or forward (initial, renewal), reject with a reason.

The queue and the list search by the applicant's name (a filter, GET) and by ID number (posted, found by its keyed
hash: `search.py`). The case page is the shared `portal/case/detail.html`; `clerk_case` renders it with the workbench
(`clerk` in the context, `workbench.py`) that `portal/case/_actions_window_clerk.html` shows; the manual checks'
findings are `checks.py`. Every change is a service of `wrp.cases`; a refusal comes back as the page with the error
next to its field, a success as a redirect to the case (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from wrp.accounts.models import Role
from wrp.cases.claims import by_holder, held_by_other
from wrp.cases.kinds import kind_of
from wrp.cases.materials import material_verdict
from wrp.cases.models import Case, CaseMaterial, CaseState, MaterialStatus
from wrp.cases.selectors import CASE_LIST_ORDER, QUEUE_ORDER, cases_filtered, clerk_queue, queue_ordered
from wrp.cases.services import (
    case_approve,
    case_forward,
    case_reject,
    case_return_for_correction,
    case_start_review,
)
from wrp.cases.workflow import AWAITING_ACCEPTANCE, OPEN_STATES
from wrp.core.errors import Invalid, InvalidState, ServiceError
from wrp.core.keyset import KeysetPage, counted_with, cursor_for, keyset_page, keyset_result, keyset_window
from wrp.core.prepared import Prepared
from wrp.portal.case_page import LOOKUP, case_context
from wrp.portal.clerk.casefile import material_pdf
from wrp.portal.clerk.forms import CaseFilter, IdNumberSearch
from wrp.portal.clerk.rows import clerk_row_cases, clerk_rows
from wrp.portal.clerk.search import by_applicant_name, by_id_search, id_search_of, id_search_record
from wrp.portal.clerk.workbench import workbench
from wrp.portal.common.access import case_or_404, role_required
from wrp.portal.common.presenters import (
    BAD_CURSOR,
    PAGE_SIZE,
    Fetch,
    keyset_listing,
    query_without,
)
from wrp.portal.common.refusals import refusal_text
from wrp.portal.templatetags.portal import material_title, state_label

QUEUE_STATES = [state for state in CaseState.values if state in OPEN_STATES]
CLAIM_ROW_FIELDS = ("claimed_at", "claimed_by__id", "claimed_by__username", "claimed_by__real_name")  # joined


def _awaiting(today: date) -> Q:
    return Q(state__in=AWAITING_ACCEPTANCE, accepted_at__isnull=True, acceptance="", acceptance_due__gte=today)


# The order "by due date" is two runs, each paged by keyset through the index that serves it: first the cases the
# window still has to accept or return (L-ACCEPT), by their acceptance deadline; then the others in the queue's order
# (`QUEUE_ORDER`: running clocks soonest due first, then the paused ones, returned for correction and waiting on the
# unit; index case_queue_due). A cursor names its run.
AWAITING_ORDER = ("acceptance_due", "due_on", "accepted_on", "id")
NEWEST_ORDER = CASE_LIST_ORDER  # newest opened first (index case_created)
AWAITING_RUN, DUE_RUN = "a-", "r-"


def by_due_date_paged(cases: QuerySet[Case], today: date, size: int = PAGE_SIZE, *,
                      unfiltered: tuple[Callable[[], KeysetPage], Callable[[], KeysetPage]] | None = None) -> Fetch:
    """The page fetcher of the order "by due date" (`keyset_listing`): one query on a page of the first run, and one
    more (the head of the second run) only on its last page, where the page goes on with the second run; one on a
    page of the second. `unfiltered`: how the first page of each run is read when nothing narrows the list (the
    statements compiled once, `FIRST_PAGES`)."""
    awaiting = _awaiting(today)

    def rest() -> QuerySet[Case]:
        return queue_ordered(cases.exclude(awaiting))

    def fetch(cursor: str | None) -> KeysetPage:
        if cursor and cursor.startswith(DUE_RUN):
            page = keyset_page(rest(), order=QUEUE_ORDER, after=cursor.removeprefix(DUE_RUN) or None, size=size)
            return KeysetPage(page.items, DUE_RUN + str(page.next_cursor) if page.has_more else None, page.has_more)
        if cursor and not cursor.startswith(AWAITING_RUN):
            raise Invalid({"after": BAD_CURSOR}, codes={"after": "invalid_cursor"})
        if cursor is None and unfiltered:
            first = unfiltered[0]()
        else:
            first = keyset_page(cases.filter(awaiting), order=AWAITING_ORDER,
                                after=cursor.removeprefix(AWAITING_RUN) if cursor else None, size=size)
        if first.has_more:
            return KeysetPage(first.items, AWAITING_RUN + str(first.next_cursor), True)
        head = unfiltered[1]() if unfiltered else keyset_page(rest(), order=QUEUE_ORDER, after=None, size=size)
        wanted = size - len(first.items)
        taken = head.items[:wanted]
        if len(head.items) <= wanted and not head.has_more:
            return KeysetPage([*first.items, *taken], None, False)
        following = DUE_RUN + (cursor_for(taken[-1], order=QUEUE_ORDER) if taken else "")
        return KeysetPage([*first.items, *taken], following, True)

    return fetch


def _unfiltered_rows(queue: bool, user: int) -> QuerySet[Case]:
    """The rows of the queue or of the list of every case that nothing narrows (what `listing_cases` and
    `listing_page` make of a request without a filter), each carrying their number."""
    clerk = get_user_model().stand_in(user, Role.WINDOW_CLERK)
    cases = clerk_queue(clerk) if queue else cases_filtered(clerk)
    return counted_with(clerk_row_cases(cases), cases)


def _first_pages(queue: bool) -> dict[str, Prepared[Case]]:
    """The statements of the first pages of the queue or of the list of every case when nothing narrows it — the
    pages the window opens all day — compiled once per process (wrp.core.prepared): by due date, the first page of
    each run (the cases awaiting acceptance, then the others); newest first."""
    def first(order: tuple[str, ...], narrow: Callable[[QuerySet[Case], date], QuerySet[Case]],
              unused: tuple[str, ...] = ("user",)) -> Prepared[Case]:
        return Prepared(lambda today, user: keyset_window(narrow(_unfiltered_rows(queue, user), today), order=order,
                                                          after=None, size=PAGE_SIZE),
                        unused=unused, today=date, user=int)  # a clerk sees every case: no user in the statements

    return {
        "awaiting": first(AWAITING_ORDER, lambda rows, today: rows.filter(_awaiting(today))),
        "rest": first(QUEUE_ORDER, lambda rows, today: queue_ordered(rows.exclude(_awaiting(today)))),
        "new": first(NEWEST_ORDER, lambda rows, _today: rows, unused=("today", "user")),
    }


FIRST_PAGES = {queue: _first_pages(queue) for queue in (True, False)}


def listing_cases(request: HttpRequest, *, queue: bool) -> tuple[CaseFilter, QuerySet[Case], str, bool]:
    """What the queue or the list of every case shows (and exports, `wrp.exports`): the filter form, the cases it
    and the ID-number search narrow to, the order asked (`due` or `new`) and whether anything narrows the list."""
    form, chosen, sort = listing_filters(request, queue=queue)
    id_search = id_search_of(request)
    return form, narrowed_cases(request, chosen, id_search, queue=queue), sort, bool(chosen or id_search)


def listing_filters(request: HttpRequest, *, queue: bool) -> tuple[CaseFilter, dict[str, str], str]:
    """The filter form of the queue or the list of every case, the filters it chose and the order asked."""
    form = CaseFilter(request.GET or None, states=QUEUE_STATES if queue else list(CaseState.values))
    chosen = form.chosen()
    return form, chosen, chosen.pop("sort", "due" if queue else "new")


def narrowed_cases(request: HttpRequest, chosen: dict[str, str], id_search: dict[str, Any] | None, *,
                   queue: bool) -> QuerySet[Case]:
    """The cases the filters `chosen` (`listing_filters`) and the ID-number search (`id_search_of`) narrow the list
    to."""
    chosen = dict(chosen)
    name, held = chosen.pop("name", ""), chosen.pop("held", "")
    cases = by_applicant_name((clerk_queue if queue else cases_filtered)(request.user, **chosen), name)
    cases = by_holder(cases, request.user, held)
    return cases if id_search is None else by_id_search(cases, id_search)


def listing_page(request: HttpRequest, *, queue: bool, id_form: IdNumberSearch | None = None,
                 status: int = 200) -> HttpResponse:
    """The queue or the list of every case, filtered (GET) and, with `?search=id`, narrowed to the applicant the
    posted ID number found (`search.py`); paged by keyset (`?after=`), the total counted up to 10,000."""
    form, chosen, sort = listing_filters(request, queue=queue)
    id_search = id_search_of(request)
    filtered = bool(chosen or id_search)
    today = timezone.localdate()
    listing_name, listing_query = "queue" if queue else "cases", query_without(request, "after", "back").rstrip("&")
    # the list's statements are built only for a page that is not a compiled first page (FIRST_PAGES): an empty
    # list's count, a deeper or a filtered page
    cases = SimpleLazyObject(lambda: narrowed_cases(request, chosen, id_search, queue=queue))
    rows = SimpleLazyObject(lambda: counted_with(clerk_row_cases(cases), cases))  # each row carries the list's count
    first_pages = None if filtered else FIRST_PAGES[queue]
    user, size = request.user.pk, PAGE_SIZE

    def first_page(name: str, order: tuple[str, ...]) -> Callable[[], KeysetPage]:
        return lambda: keyset_result(first_pages[name].rows(today=today, user=user), order=order, size=size)

    if sort == "due":
        fetch = by_due_date_paged(rows, today, unfiltered=first_pages and (
            first_page("awaiting", AWAITING_ORDER), first_page("rest", QUEUE_ORDER)))
    else:
        def fetch(cursor: str | None) -> KeysetPage:
            if cursor is None and first_pages:
                return first_page("new", NEWEST_ORDER)()
            return keyset_page(rows, order=NEWEST_ORDER, after=cursor, size=size)
    listing = keyset_listing(request, cases, fetch=fetch)
    return render(request, "portal/clerk/cases.html", {
        "queue": queue,
        "by_due": sort == "due",
        "form": form,
        "id_form": id_form or IdNumberSearch(initial={"listing": "queue" if queue else "cases"}),
        "id_search": id_search,
        "filtered": filtered,
        "listing_query": listing_query,
        "listing": listing,
        "rows": clerk_rows(listing.items, today=today, request=request, listing=listing_name, query=listing_query),
    }, status=status)


@role_required(Role.WINDOW_CLERK)
@require_GET
def clerk_queue_page(request: HttpRequest) -> HttpResponse:
    return listing_page(request, queue=True)


@role_required(Role.WINDOW_CLERK)
@require_GET
def clerk_cases_page(request: HttpRequest) -> HttpResponse:
    return listing_page(request, queue=False)


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_search_id_number(request: HttpRequest) -> HttpResponse:
    """The search by ID number (posted): the listing it came from with `?search=id`; a malformed number, the listing
    again with the error under the field."""
    form = IdNumberSearch(request.POST)
    queue = request.POST.get("listing") != "cases"
    if not form.is_valid():
        response = listing_page(request, queue=queue, id_form=form, status=422)
        response["Cache-Control"] = "no-store, private"
        return response
    id_search_record(request, form.cleaned_data["id_number"])
    return HttpResponseRedirect(reverse("portal:clerk_queue" if queue else "portal:clerk_cases") + "?search=id")

def _render_case(request: HttpRequest, case: Case, *, errors: dict[str, str] | None = None,
                 values: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    context = case_context(request, case)
    context["clerk"] = workbench(context, errors=errors or {}, values=values or {}, viewing=request.GET.get("view"))
    # another clerk holds the case (wrp.cases.claims): a warning, never a block
    context["clerk"]["held_by"] = case.claimed_by if held_by_other(case, request.user) else None
    return render(request, "portal/case/detail.html", context, status=status)


def _to_case(case: Case, *, view: str | None = None, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("portal:clerk_case", args=[case.public_id])
    if view:
        url += "?" + urlencode({"view": view})
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, case: Case, error: ServiceError) -> HttpResponse:
    """A refusal that is not about a field (the case moved on meanwhile, a role rule): say so on the fresh page."""
    if isinstance(error, InvalidState) and error.message is not error.default_message:  # a guard's own words
        messages.error(request, refusal_text(error))
    elif isinstance(error, InvalidState) and error.state in CaseState.values:
        messages.error(request, _("案件当前为“%(state)s”，不能进行此操作；页面已按最新状态显示。")
                       % {"state": state_label(error.state)})
    elif isinstance(error, InvalidState):
        messages.error(request, _("当前状态不允许此操作；页面已按最新状态显示。"))
    else:
        messages.error(request, refusal_text(error))
    return _to_case(case)


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") == "yes"


@role_required(Role.WINDOW_CLERK)
@require_GET
def clerk_case(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_case(request, case_or_404(request, public_id, lookup=LOOKUP))


@role_required(Role.WINDOW_CLERK)
@require_GET
@xframe_options_sameorigin
def clerk_material_view(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    """The material's PDF, inline for the browser's own viewer (and the viewer frame on the case page), or as a
    download with `?download=1`."""
    return material_pdf(request, public_id, code)


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_start_review(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    try:
        case_start_review(case=case, actor=request.user)
    except ServiceError as error:
        return _refused(request, case, error)
    messages.success(request, _("已开始审核。请逐项审核材料，再作出决定。"))
    return _to_case(case, anchor="clerk-materials")


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_verdict(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    verdict, reason = request.POST.get("verdict", ""), request.POST.get("reason", "").strip()
    values = {f"verdict_{code}": verdict, f"verdict_reason_{code}": reason}
    if verdict not in (MaterialStatus.ACCEPTED, MaterialStatus.REJECTED):
        errors = {f"verdict_{code}": _("请选择“通过”或“需重新上传”。")}
        return _render_case(request, case, errors=errors, values=values, status=422)
    try:
        material_verdict(case=case, code=code, actor=request.user, accepted=verdict == MaterialStatus.ACCEPTED,
                         reason=reason)
    except Invalid:
        errors = {f"verdict_reason_{code}": _("请写明需重新上传的原因，单位将按此补正。")}
        return _render_case(request, case, errors=errors, values=values, status=422)
    except ServiceError as error:
        return _refused(request, case, error)
    messages.success(request, _("已记录对“%(title)s”的审核意见。") % {"title": material_title(code)})
    waiting = (
        CaseMaterial.objects.filter(case=case, status=MaterialStatus.UPLOADED, file__isnull=False)
        .values_list("code", flat=True).first()
    )
    return _to_case(case, view=waiting or code, anchor=f"clerk-material-{waiting or code}")


def _problems(post: Any) -> tuple[list[dict[str, Any]], list[str], dict[str, str]]:
    """The notice as posted: each rejected material's problem (pre-filled with the verdict's reason, editable),
    then one problem per line of the free text. Returns the problems, the form field of each, the posted values."""
    problems, fields, values = [], [], {}
    for key, text in post.items():
        if key.startswith("problem_"):
            problems.append({"material": key.removeprefix("problem_"), "text": text.strip()})
            fields.append(key)
            values[key] = text.strip()
    values["other"] = post.get("other", "")
    for line in values["other"].splitlines():
        if line.strip():
            problems.append({"material": None, "text": line.strip()})
            fields.append("other")
    return problems, fields, values


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_return(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    problems, fields, values = _problems(request.POST)
    errors: dict[str, str] = {}
    if not _confirmed(request):
        errors["confirm_return"] = _("请勾选确认后再发出补正告知。")
    else:
        try:
            case_return_for_correction(case=case, actor=request.user, problems=problems)
        except Invalid as invalid:
            for path in invalid.fields:
                index = path.split(".")[1] if path.count(".") == 2 else None
                if index is not None and index.isdigit() and int(index) < len(fields):
                    errors[fields[int(index)]] = _("请写明这一问题。")
                else:
                    errors["other"] = _("请至少列出一个问题：判定某项材料需重新上传，或在“其他问题”中填写。")
        except ServiceError as error:
            return _refused(request, case, error)
    if errors:
        return _render_case(request, case, errors=errors, values=values, status=422)
    messages.success(request, _("补正告知已发出：案件已退回单位，办理时限暂停，单位重新提交后恢复计时。"))
    return _to_case(case)


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    """Approve a window item, or forward an initial or renewal case to the bureau, with a reason per `review`."""
    case = case_or_404(request, public_id)
    reasons = {
        key.removeprefix("review_"): str(text).strip() for key, text in request.POST.items() if key.startswith("review_")
    }
    values = {f"review_{rule}": text for rule, text in reasons.items()}
    forward = kind_of(case).to_bureau
    errors: dict[str, str] = {}
    if not _confirmed(request):
        errors["confirm_decide"] = _("请勾选确认后再上报。") if forward else _("请勾选确认后再批准。")
    else:
        try:
            (case_forward if forward else case_approve)(case=case, actor=request.user, review_reasons=reasons)
        except Invalid as invalid:
            pending = [path.removeprefix("materials.") for path in invalid.fields if path.startswith("materials.")]
            if pending:
                errors["materials"] = _("以下材料尚未审核通过：%(titles)s。请先逐项审核，或退回补正。") % {
                    "titles": "、".join(material_title(code) for code in pending)
                }
            for path in invalid.fields:
                if path.startswith("review_reasons."):
                    rule = path.removeprefix("review_reasons.")
                    errors[f"review_{rule}"] = _("请说明接受 %(rule)s（需人工审核）的理由。") % {"rule": rule}
        except ServiceError as error:
            return _refused(request, case, error)
    if errors:
        return _render_case(request, case, errors=errors, values=values, status=422)
    messages.success(request, _("已上报区人社局审批。") if forward else _("已批准，决定已生效。"))
    return _to_case(case)


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_reject(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    reason = request.POST.get("reason", "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reject_reason"] = _("请写明不予通过的理由，它将写入决定并告知单位和申请人。")
    if not _confirmed(request):
        errors["confirm_reject"] = _("请勾选确认后再作出不予通过的决定。")
    if not errors:
        try:
            case_reject(case=case, actor=request.user, reason=reason)
        except Invalid:
            errors["reject_reason"] = _("请写明不予通过的理由，它将写入决定并告知单位和申请人。")
        except ServiceError as error:
            return _refused(request, case, error)
    if errors:
        return _render_case(request, case, errors=errors, values={"reject_reason": reason}, status=422)
    messages.success(request, _("已作出不予通过的决定。"))
    return _to_case(case)

