"""The unit portal (issue 5 §3, §7): the pages of a unit handler (单位经办人).

A handler registers units and opens or transfers their accounts (guided: open the case, upload the unit materials,
read the rule outcomes, submit), declares quota and follows it (here); accepts, refuses and releases employees and
starts any personal case for an employee (`employees.py`); uploads materials, books the handling appointment and
submits, answers corrections (`cases.py`); and keeps the unit's standing documents (系统附件管理) to reuse them in its
cases (`documents.py`). Every object is fetched through the selectors, so another unit's objects are 404; every change
goes through its service, whose refusals come back next to the field or as a message, in the page's language.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wrp.accounts.models import Role
from wrp.cases.facts import case_evaluate, frozen_assessment
from wrp.cases.kinds import UNIT_KINDS
from wrp.cases.models import Case, CaseState
from wrp.cases.selectors import cases_visible_to
from wrp.cases.services import case_open
from wrp.cases.workflow import FINAL_STATES
from wrp.core.errors import Invalid, ServiceError
from wrp.core.language import page_language
from wrp.core.prepared import Prepared, PreparedEach
from wrp.employment.selectors import associations_visible_to
from wrp.policy.codes import District, Service, UnitKind
from wrp.policy.labels import label
from wrp.portal.common.access import role_required, unit_or_404
from wrp.portal.common.presenters import PAGE_SIZE, case_list_rows, case_rows, local_day
from wrp.portal.common.refusals import form_add_refusal, refusal_text
from wrp.portal.unit.forms import QuotaRequestForm, UnitRegisterForm
from wrp.portal.unit.presenters import attention_html, case_list_words
from wrp.quotas.models import QuotaLedger
from wrp.quotas.selectors import ledger_status, quota_requests_visible_to, quota_status
from wrp.quotas.services import quota_request_create
from wrp.units.documents import unit_documents
from wrp.units.models import AccountStatus, AssociationState, Penalty, PenaltyKind, Unit
from wrp.units.selectors import units_handled_by
from wrp.units.services import unit_regenerate_association_code, unit_register

handler_only = role_required(Role.UNIT_HANDLER)
# What the home page shows of a unit (its name, codes and account; not its tax figures and qualifications).
UNIT_SHOWN = ("id", "name", "credit_code", "association_code", "account_status", "account_district")
ATTENTION_STATES = (CaseState.AWAITING_UNIT, CaseState.RETURNED)
CASE_SORTS = {"-created": ("-created_at", "-id"), "created": ("created_at", "id"),
              "due": (F("due_on").asc(nulls_last=True), "-created_at", "-id")}
ACCOUNT_WORDS = {AccountStatus.NONE: gettext_lazy("未开户"), AccountStatus.TRANSFERRED: gettext_lazy("已转出"),
                 AccountStatus.CLOSED: gettext_lazy("已注销")}
PENALTY_EFFECTS = {  # what an active penalty means for the unit itself (POLICY §9; U-PENALTY, U-QUOTA)
    PenaltyKind.QUOTA_FROZEN: gettext_lazy("处罚解除前，本单位不能提交初次申请和聘用单位变更，已下发的指标暂不能使用。"),
    PenaltyKind.SERVICE_TERMINATED: gettext_lazy("处罚解除前，本单位提交的所有事项均不予受理。"),
    PenaltyKind.BLACKLISTED: gettext_lazy("本单位已列入黑名单；处罚解除前，提交的所有事项均不予受理。"),
}


def account_words(unit: Unit) -> str:
    if unit.account_status == AccountStatus.OPEN:
        return _("已开户（%(district)s）") % {"district": label(District(unit.account_district), page_language())}
    return str(ACCOUNT_WORDS.get(unit.account_status, unit.account_status))


def account_item(unit: Unit) -> str | None:
    """The unit case its account needs: opening, transfer into Chaoyang, or none (open here)."""
    if unit.account_status != AccountStatus.OPEN:
        return Service.UNIT_OPENING
    return Service.UNIT_TRANSFER if unit.account_district != District.CHAOYANG else None



def _handled_units(user: int) -> QuerySet[Unit]:
    """Each unit the handler handles with its newest open account case and its drafts counted (the cases of the
    handler's own units, which are theirs to see), in the query of the units."""
    cases = Case.objects.filter(unit_id=OuterRef("pk")).order_by()
    return units_handled_by(get_user_model().stand_in(user, Role.UNIT_HANDLER)).order_by("name").only(
        *UNIT_SHOWN).annotate(
        account_case=Subquery(cases.filter(kind__in=UNIT_KINDS).exclude(state__in=FINAL_STATES).order_by("-created_at")
                              .values(shown=JSONObject(public_id="public_id", kind="kind", state="state"))[:1],
                              output_field=JSONField()),
        drafts=Subquery(cases.filter(state=CaseState.DRAFT).values("unit_id").annotate(n=Count("pk")).values("n"),
                        output_field=IntegerField()),
    )


HANDLED_UNITS = Prepared(_handled_units, user=int)  # compiled once (wrp.core.prepared): the same for every handler


@handler_only
def unit_home(request: HttpRequest) -> HttpResponse:
    """The handler's units (account, quota, penalties, association code), the cases waiting for the unit, the drafts
    counted and the open association requests: each list read once for all the units, only what its rows show."""
    user, today = request.user, timezone.localdate()
    units = HANDLED_UNITS.rows(user=user.pk)
    handled = [unit.pk for unit in units]
    penalties = unit_penalties(handled)
    ledgers = {ledger.unit_id: ledger for ledger in LEDGERS.rows(handled, year=today.year)}
    rows = []
    for unit in units:
        shown = penalties.get(unit.pk, {"penalties": [], "lifted": [], "quota_frozen": False})
        rows.append({"unit": unit, "account": account_words(unit), "item": account_item(unit),
                     "quota": ledger_status(ledgers.get(unit.pk), today.year, frozen=shown["quota_frozen"]),
                     "account_case": unit.account_case, "penalties": shown["penalties"],
                     "lifted": shown["lifted"]})
    attention = attention_html(case_list_words(case_rows(ATTENTION.rows(handled, user=user.pk), today)))
    waiting = [
        {"name": row["applicant__real_name"] or row["applicant__username"],
         "id_number": row["applicant__id_number_masked"], "unit": row["unit__name"]}
        for row in WAITING.rows(handled, user=user.pk)
    ]
    drafts = sum(unit.drafts or 0 for unit in units)
    return render(request, "portal/unit/home.html",
                  {"rows": rows, "attention": attention, "waiting": waiting, "drafts": drafts, "year": today.year})


def _stand_in(user: int) -> Any:
    return get_user_model().stand_in(user, Role.UNIT_HANDLER)


# The home page's lists of the handler's units (their ids bound), each statement compiled once per process
# (wrp.core.prepared): the year's ledgers, the cases waiting for the unit (by due date), the open association
# requests, the penalties
LEDGERS = PreparedEach(lambda units, year: QuotaLedger.objects.filter(unit_id__in=units, year=year), year=int)
ATTENTION = PreparedEach(lambda units, user: case_list_rows(
    cases_visible_to(_stand_in(user), handled=units).filter(state__in=ATTENTION_STATES)
    .order_by(*CASE_SORTS["due"]))[:PAGE_SIZE], unused=("user",), user=int)
WAITING = PreparedEach(lambda units, user: associations_visible_to(_stand_in(user), handled=units).filter(
    state=AssociationState.REQUESTED).order_by("requested_at").values(
    "applicant__real_name", "applicant__username", "applicant__id_number_masked", "unit__name"),
    unused=("user",), user=int)
PENALTIES = PreparedEach(lambda units: Penalty.objects.filter(unit_id__in=units).order_by("-decided_at", "-id"))


def unit_penalties(units: list[int]) -> dict[int, dict[str, Any]]:
    """By unit, its penalties as the unit reads them — the active ones ("penalties") and those lifted ("lifted"),
    newest first: the kind in words, the reason, the day decided (and lifted), what it means — and whether an
    active one freezes its quota ("quota_frozen"), in one query."""
    by_unit: dict[int, dict[str, Any]] = {}
    for penalty in PENALTIES.rows(units):
        rows = by_unit.setdefault(penalty.unit_id, {"penalties": [], "lifted": [], "quota_frozen": False})
        rows["penalties" if penalty.active else "lifted"].append({
            "kind": penalty.get_kind_display(), "reason": penalty.reason, "decided_on": local_day(penalty.decided_at),
            "lifted_on": local_day(penalty.lifted_at), "lift_reason": penalty.lift_reason,
            "effect": PENALTY_EFFECTS.get(penalty.kind, ""),
        })
        rows["quota_frozen"] |= penalty.active and penalty.kind == PenaltyKind.QUOTA_FROZEN
    return by_unit


@handler_only
def unit_register_page(request: HttpRequest) -> HttpResponse:
    form = UnitRegisterForm(request.POST or None, today=timezone.localdate(), initial={
        "kind": UnitKind.ENTERPRISE, "legal_person": "yes", "registered_district": District.CHAOYANG,
        "tax_district": District.CHAOYANG})
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_register(actor=request.user, **form.facts())
        except ServiceError as error:
            form_add_refusal(form, error)
        else:
            if account_item(unit) == Service.UNIT_TRANSFER:
                text = _("已登记单位「%(name)s」。单位已在其他区开户，下一步：办理跨区信息变更。")
            else:
                text = _("已登记单位「%(name)s」。下一步：办理开户。")
            messages.success(request, text % {"name": unit.name})
            return redirect("portal:unit_home")
    return render(request, "portal/unit/register.html", {"form": form}, status=422 if form.errors else 200)


@handler_only
@require_POST
def unit_code_regenerate(request: HttpRequest, credit_code: str) -> HttpResponse:
    unit = unit_or_404(request, credit_code)
    try:
        code = unit_regenerate_association_code(unit=unit, actor=request.user)
    except ServiceError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("「%(name)s」的新单位关联码：%(code)s。原关联码已失效。") % {"name": unit.name, "code": code})
    return redirect("portal:unit_home")


@handler_only
def unit_account(request: HttpRequest, credit_code: str, kind: str) -> HttpResponse:
    """Account opening or cross-district transfer, guided: what it takes, the rule outcomes today, then the case."""
    unit = unit_or_404(request, credit_code)
    if kind not in UNIT_KINDS:
        raise Http404("kind")
    if request.method == "POST":
        try:
            case = case_open(actor=request.user, kind=kind, unit=unit)
        except ServiceError as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("已开立案件。请逐项上传单位材料，然后提交。"))
            return redirect("portal:case", case.public_id)
    assessment, problems = None, {}
    try:
        _facts, evaluation = case_evaluate(Case(kind=kind, unit=unit), as_of=timezone.localdate())
        assessment = frozen_assessment(evaluation)[page_language()]
    except Invalid as invalid:
        problems = invalid.messages()
    documents = unit_documents(unit)
    existing = cases_visible_to(request.user).filter(unit=unit, kind=kind).exclude(state__in=FINAL_STATES)
    return render(request, "portal/unit/account.html", {
        "unit": unit, "kind": kind, "assessment": assessment, "problems": problems, "existing": list(existing),
        "materials": [{"code": code, "document": documents.get(code)} for code in (assessment or {}).get("materials", [])],
    })


# ---------------------------------------------------------------------------------------------------------------------
# Quota


@handler_only
def unit_quota(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    units = list(units_handled_by(user).order_by("name"))
    years = (today.year, today.year + 1)
    form = QuotaRequestForm(request.POST or None, units=units, years=years,
                            initial={"unit": units[0].credit_code if units else None, "year": today.year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = unit_or_404(request, data["unit"])
        try:
            quota_request_create(unit=unit, actor=user, year=data["year"], requested=data["requested"],
                                 reason=data["reason"])
        except ServiceError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("已提交 %(year)s 年度指标申报，待区人社局下发。") % {"year": data["year"]})
            return redirect("portal:unit_quota")
    ledgers = [{"unit": unit, "years": [quota_status(unit, year) for year in years]} for unit in units]
    requests = [
        {"request": row, "on": local_day(row.requested_at), "decided_on": local_day(row.decided_at)}
        for row in quota_requests_visible_to(user).order_by("-requested_at")[:50]
    ]
    return render(request, "portal/unit/quota.html", {"form": form, "ledgers": ledgers, "requests": requests,
                                                      "units": units}, status=422 if form.errors else 200)


