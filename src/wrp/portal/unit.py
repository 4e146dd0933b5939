"""The unit portal (issue 5 §3, §7): the pages of a unit handler (单位经办人) and their actions on the case page.

A handler registers units and opens or transfers their accounts (guided: open the case, upload the unit materials,
read the rule outcomes, submit), declares quota and follows it, accepts, refuses and releases employees, starts any
personal case for an employee, uploads materials, books the handling appointment and submits, answers corrections,
and keeps the unit's standing documents (系统附件管理) to reuse them in its cases. Every object is fetched through the
selectors (`unit_for`, `case_for`, `association_for`), so another unit's objects are 404; every change goes through
its service, whose refusals come back next to the field or as a message, in the page's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wrp.accounts.models import Role
from wrp.appointments.selectors import slots_between
from wrp.cases import clock
from wrp.cases.facts import case_evaluate, frozen_assessment
from wrp.cases.materials import case_checklist, material_upload
from wrp.cases.models import FINAL_STATES, Case, CaseState
from wrp.cases.selectors import case_for, case_materials, cases_visible_to
from wrp.cases.services import QUOTA_KINDS, case_open, case_resubmit, case_submit, case_update_answers, case_withdraw
from wrp.core.errors import (
    FileRefused,
    Forbidden,
    Ineligible,
    Invalid,
    InvalidState,
    MaterialsMissing,
    NotFound,
    ServiceError,
)
from wrp.documents.services import open_file
from wrp.permits.selectors import permits_visible_to
from wrp.policy.codes import (
    UNIT_SERVICES,
    ChildCase,
    Degree,
    District,
    HousingKind,
    Hukou,
    Qualification,
    Service,
    UnitKind,
)
from wrp.policy.items import ITEMS
from wrp.policy.labels import label
from wrp.portal.access import role_required
from wrp.portal.case_page import case_context, page_language
from wrp.portal.templatetags.portal import material_title
from wrp.public.templatetags.wrp_format import MONTHS_EN
from wrp.quotas.selectors import quota_requests_visible_to, quota_status
from wrp.quotas.services import quota_request_create
from wrp.units.associations import (
    RELEASE_DAYS,
    association_accept,
    association_for,
    association_refuse,
    association_release,
    associations_visible_to,
)
from wrp.units.documents import STANDING_CODES, unit_document_attach, unit_document_upload, unit_documents
from wrp.units.models import AccountStatus, AssociationState, Unit
from wrp.units.selectors import unit_for, units_handled_by
from wrp.units.services import clean_credit_code, unit_regenerate_association_code, unit_register

handler_only = role_required(Role.UNIT_HANDLER)
PAGE_SIZE = 20
SLOT_WEEKS = 4
CHILD_ROWS = 3
ATTENTION_STATES = (CaseState.AWAITING_UNIT, CaseState.RETURNED)
# The personal items a unit starts for an employee; info_change is chosen with its subtype.
PERSONAL_ITEMS = ("initial", "employer_change", "children_change", "info_change:address", "info_change:name_or_hukou",
                  "info_change:education", "renewal")
ITEM_ANSWERS = {"initial": "children", "children_change": "children", "info_change:address": "housing",
                "info_change:name_or_hukou": "name_or_hukou", "info_change:education": "degree"}
CASE_SORTS = {"-created": ("-created_at", "-id"), "created": ("created_at", "id"),
              "due": (F("due_on").asc(nulls_last=True), "-created_at", "-id")}
ACCOUNT_WORDS = {AccountStatus.NONE: gettext_lazy("未开户"), AccountStatus.TRANSFERRED: gettext_lazy("已转出"),
                 AccountStatus.CLOSED: gettext_lazy("已注销")}
PERMIT_WORDS = {"valid": gettext_lazy("有效"), "suspended": gettext_lazy("挂起"), "expired": gettext_lazy("已失效"),
                "revoked": gettext_lazy("已撤销")}
WEEKDAYS = (gettext_lazy("周一"), gettext_lazy("周二"), gettext_lazy("周三"), gettext_lazy("周四"), gettext_lazy("周五"),
            gettext_lazy("周六"), gettext_lazy("周日"))
OPEN_DAYS = 5  # the calendar opens as many weeks as it takes to show this many days


# ---------------------------------------------------------------------------------------------------------------------
# Words and lookups


def words(text: str) -> str:
    """A service message 「中文 / English」 in the page's language."""
    zh, sep, en = str(text).partition(" / ")
    return (en if page_language() == "en" else zh) if sep else str(text)


def refusal(error: ServiceError) -> str:
    """A service refusal as one sentence in the page's language."""
    if isinstance(error, Invalid):
        return _("；").join(words(message) for message in error.fields.values())
    if isinstance(error, MaterialsMissing):
        return _("以下材料尚未上传：") + _("、").join(material_title(code) for code in error.missing)
    if isinstance(error, Ineligible):
        return _("不符合受理条件，未通过的检查项见下方。")
    if isinstance(error, InvalidState | FileRefused) and " / " in str(error):
        return words(str(error))
    if isinstance(error, InvalidState):
        return _("当前状态不允许此操作。")
    if isinstance(error, Forbidden | NotFound):
        return _("您无权进行此操作。")
    return str(error)


def found(lookup: Callable[..., Any], *args: Any) -> Any:
    """A selector's answer, NotFound as 404."""
    try:
        return lookup(*args)
    except NotFound:
        raise Http404("not found") from None


def choices(codes: Any) -> list[tuple[str, str]]:
    return [(code.value, label(code, page_language())) for code in codes]


def local_day(moment: Any) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def account_words(unit: Unit) -> str:
    if unit.account_status == AccountStatus.OPEN:
        return _("已开户（%(district)s）") % {"district": label(District(unit.account_district), page_language())}
    return str(ACCOUNT_WORDS.get(unit.account_status, unit.account_status))


def account_item(unit: Unit) -> str | None:
    """The unit case its account needs: opening, transfer into Chaoyang, or none (open here)."""
    if unit.account_status != AccountStatus.OPEN:
        return "unit_opening"
    return "unit_transfer" if unit.account_district != District.CHAOYANG else None


# ---------------------------------------------------------------------------------------------------------------------
# Forms (shape only: the services validate the facts)


class ServiceForm(forms.Form):
    def add_refusal(self, error: ServiceError, aliases: dict[str, str] | None = None) -> None:
        """Put each of a service's field errors next to its field (`annual_tax.2024` → `annual_tax_2024`)."""
        if not isinstance(error, Invalid):
            self.add_error(None, refusal(error))
            return
        for where, message in error.fields.items():
            head, _sep, rest = where.partition(".")
            name = (aliases or {}).get(head, head)
            name = f"{name}_{rest}" if f"{name}_{rest}" in self.fields else name
            self.add_error(name if name in self.fields else None, words(message))


def money(value: str) -> str:
    """Yuan as typed (「5,000,000」, 「5000000 元」), normalised for the service; empty stays empty."""
    text = (value or "").replace(",", "").replace("，", "").replace("元", "").replace(" ", "")
    if text:
        try:
            Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("请填写金额（元），例如 5,000,000")) from None
    return text


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitRegisterForm(ServiceForm):
    credit_code = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=40,
                                  help_text=gettext_lazy("18 位，见营业执照"))
    name = forms.CharField(label=gettext_lazy("单位名称"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("单位类型"))
    legal_person = forms.ChoiceField(label=gettext_lazy("是否具有法人资格"), widget=forms.RadioSelect,
                                     choices=[("yes", gettext_lazy("是")), ("no", gettext_lazy("否"))])
    registered_district = forms.ChoiceField(label=gettext_lazy("工商注册地"))
    tax_district = forms.ChoiceField(label=gettext_lazy("纳税地"))
    tax_paid_since = forms.DateField(label=gettext_lazy("在朝阳区纳税起始日"), required=False, widget=DATE_WIDGET,
                                     help_text=gettext_lazy("年-月-日；未在朝阳区纳税可不填"))
    registered_capital = forms.CharField(label=gettext_lazy("注册资本（元）"), help_text=gettext_lazy("例如 5,000,000"))
    qualifications = forms.MultipleChoiceField(label=gettext_lazy("单位资质"), required=False,
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = choices(UnitKind)
        self.fields["registered_district"].choices = choices(District)
        self.fields["tax_district"].choices = choices(District)
        self.fields["qualifications"].choices = choices(Qualification)
        self.tax_years = [today.year - n for n in (3, 2, 1)]
        for year in self.tax_years:
            self.fields[f"annual_tax_{year}"] = forms.CharField(
                label=_("%(year)s 年纳税额（元）") % {"year": year}, required=False)

    def clean_credit_code(self) -> str:
        try:
            return clean_credit_code(self.cleaned_data["credit_code"])
        except Invalid as invalid:
            raise forms.ValidationError(words(invalid.fields["credit_code"])) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ["registered_capital", *(f"annual_tax_{year}" for year in self.tax_years)]:
            try:
                data[name] = money(data.get(name, ""))
            except forms.ValidationError as error:
                self.add_error(name, error)
        return data

    def facts(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "credit_code": data["credit_code"], "name": data["name"], "kind": data["kind"],
            "legal_person": data["legal_person"] == "yes", "registered_district": data["registered_district"],
            "tax_district": data["tax_district"], "tax_paid_since": data["tax_paid_since"],
            "registered_capital": data["registered_capital"], "qualifications": list(data["qualifications"]),
            "annual_tax": {str(y): data[f"annual_tax_{y}"] for y in self.tax_years if data.get(f"annual_tax_{y}")},
        }


class QuotaRequestForm(ServiceForm):
    unit = forms.ChoiceField(label=gettext_lazy("单位"))
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    requested = forms.IntegerField(label=gettext_lazy("申报数量"), min_value=1, max_value=1_000_000,
                                   help_text=gettext_lazy("该年度计划新办工作居住证的人数"))
    reason = forms.CharField(label=gettext_lazy("申报理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("例如引进人才的岗位和人数"))

    def __init__(self, *args: Any, units: list[Unit], years: tuple[int, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.credit_code, unit.name) for unit in units]
        self.fields["year"].choices = [(year, str(year)) for year in years]


class ReleaseForm(ServiceForm):
    left_on = forms.DateField(label=gettext_lazy("离职日期"), widget=DATE_WIDGET,
                              help_text=gettext_lazy("年-月-日，员工离职的日期"))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_left_on(self) -> date:
        left_on = self.cleaned_data["left_on"]
        if left_on > self.today:
            raise forms.ValidationError(_("离职日期不能晚于今天"))
        return left_on


class AnswersForm(ServiceForm):
    """What the case itself answers (cases.facts.ANSWER_KEYS): children, the new housing, name/hukou, degree."""

    def __init__(self, *args: Any, item: str, answers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item, self.part = item, ITEM_ANSWERS.get(item, "")
        answers = answers or {}
        if self.part == "children":
            children = list(answers.get("children") or [])
            child_cases = [("", _("请选择")), *choices(ChildCase)]
            for index in range(max(CHILD_ROWS, len(children))):
                child = children[index] if index < len(children) else {}
                self.fields[f"child_{index}_name"] = forms.CharField(
                    label=_("子女 %(n)s 姓名") % {"n": index + 1}, required=False, initial=child.get("name"))
                self.fields[f"child_{index}_case"] = forms.ChoiceField(
                    label=_("子女 %(n)s 情形") % {"n": index + 1}, required=False, choices=child_cases,
                    initial=child.get("case"))
        elif self.part == "housing":
            housing = answers.get("housing") or {}
            self.fields["housing_kind"] = forms.ChoiceField(label=_("新的住房情况"), choices=choices(HousingKind),
                                                            initial=housing.get("kind"))
            self.fields["lease_end"] = forms.DateField(
                label=_("租赁合同到期日"), required=False, widget=DATE_WIDGET, initial=housing.get("lease_end"),
                help_text=_("租住房屋时必填，须在申请日后至少6个月"))
        elif self.part == "name_or_hukou":
            self.fields["real_name"] = forms.CharField(label=_("新姓名"), required=False, max_length=100,
                                                       initial=answers.get("real_name"),
                                                       help_text=_("姓名未变更可不填"))
            self.fields["hukou"] = forms.ChoiceField(label=_("新户籍情况"), required=False,
                                                     choices=[("", _("未变更")), *choices(Hukou)],
                                                     initial=answers.get("hukou"))
        elif self.part == "degree":
            self.fields["degree"] = forms.ChoiceField(label=_("新学历或学位"), choices=choices(Degree),
                                                      initial=answers.get("degree"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.part == "children":
            rows = (f"child_{index}" for index in range(len(self.fields) // 2))
            for row in rows:
                if data.get(f"{row}_name") and not data.get(f"{row}_case"):
                    self.add_error(f"{row}_case", _("请选择该子女的情形"))
                if data.get(f"{row}_case") and not data.get(f"{row}_name"):
                    self.add_error(f"{row}_name", _("请填写该子女的姓名"))
            if self.item == "children_change" and not data.get("child_0_name"):
                self.add_error("child_0_name", _("随往人员变更至少填写一名子女"))
        rented = data.get("housing_kind") in ("rented_residential", "rented_rural")
        if self.part == "housing" and rented and not data.get("lease_end"):
            self.add_error("lease_end", _("租住房屋须填写租赁合同到期日"))
        if self.part == "name_or_hukou" and not (data.get("real_name") or data.get("hukou")):
            self.add_error("real_name", _("请填写新姓名或选择新户籍情况"))
        return data

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.part == "children":
            children = [{"name": data[f"child_{i}_name"].strip(), "case": data[f"child_{i}_case"]}
                        for i in range(len(self.fields) // 2) if data.get(f"child_{i}_name")]
            return {"children": children} if children or self.item == "children_change" else {}
        if self.part == "housing":
            lease_end = data.get("lease_end")
            return {"housing": {"kind": data["housing_kind"], "lease_end": lease_end.isoformat() if lease_end else None}}
        if self.part == "name_or_hukou":
            return {key: data[key].strip() for key in ("real_name", "hukou") if data.get(key)}
        if self.part == "degree":
            return {"degree": data["degree"]}
        return {}


# ---------------------------------------------------------------------------------------------------------------------
# Home, registration, account cases


@handler_only
def unit_home(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    units = list(units_handled_by(user).order_by("name"))
    account_cases: dict[int, Case] = {}
    for case in cases_visible_to(user).filter(kind__in=UNIT_SERVICES).exclude(state__in=FINAL_STATES):
        account_cases.setdefault(case.unit_id, case)
    rows = [
        {"unit": unit, "account": account_words(unit), "item": account_item(unit),
         "quota": quota_status(unit, today.year), "account_case": account_cases.get(unit.pk)}
        for unit in units
    ]
    attention = [
        {"case": case, "clock": case_clock(case, today)}
        for case in cases_visible_to(user).filter(state__in=ATTENTION_STATES).order_by(*CASE_SORTS["due"])[:PAGE_SIZE]
    ]
    waiting = list(associations_visible_to(user).filter(state=AssociationState.REQUESTED).order_by("requested_at"))
    drafts = cases_visible_to(user).filter(state=CaseState.DRAFT).count()
    return render(request, "portal/unit/home.html",
                  {"rows": rows, "attention": attention, "waiting": waiting, "drafts": drafts, "year": today.year})


def case_clock(case: Case, today: date) -> clock.ClockView:
    return clock.view(case, today=today)


@handler_only
def unit_register_page(request: HttpRequest) -> HttpResponse:
    form = UnitRegisterForm(request.POST or None, today=timezone.localdate(), initial={
        "kind": UnitKind.ENTERPRISE, "legal_person": "yes", "registered_district": District.CHAOYANG,
        "tax_district": District.CHAOYANG})
    if request.method == "POST" and form.is_valid():
        try:
            unit = unit_register(actor=request.user, **form.facts())
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("已登记单位「%(name)s」。下一步：办理开户。") % {"name": unit.name})
            return redirect("portal:unit_home")
    return render(request, "portal/unit/register.html", {"form": form}, status=422 if form.errors else 200)


@handler_only
@require_POST
def unit_code_regenerate(request: HttpRequest, credit_code: str) -> HttpResponse:
    unit = found(unit_for, request.user, credit_code)
    try:
        code = unit_regenerate_association_code(unit=unit, actor=request.user)
    except ServiceError as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, _("「%(name)s」的新单位关联码：%(code)s。原关联码已失效。") % {"name": unit.name, "code": code})
    return redirect("portal:unit_home")


@handler_only
def unit_account(request: HttpRequest, credit_code: str, kind: str) -> HttpResponse:
    """Account opening / cross-district transfer, guided: what it takes, the rule outcomes today, then the case."""
    unit = found(unit_for, request.user, credit_code)
    if kind not in UNIT_SERVICES:
        raise Http404("kind")
    if request.method == "POST":
        try:
            case = case_open(actor=request.user, kind=kind, unit=unit)
        except ServiceError as error:
            messages.error(request, refusal(error))
        else:
            messages.success(request, _("已开立案件。请逐项上传单位材料，然后提交。"))
            return redirect("portal:case", case.public_id)
    assessment, problems = None, {}
    try:
        _facts, evaluation = case_evaluate(Case(kind=kind, unit=unit), as_of=timezone.localdate())
        assessment = frozen_assessment(evaluation)[page_language()]
    except Invalid as invalid:
        problems = {path: words(message) for path, message in invalid.fields.items()}
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
        unit = found(unit_for, user, data["unit"])
        try:
            quota_request_create(unit=unit, actor=user, year=data["year"], requested=data["requested"],
                                 reason=data["reason"])
        except ServiceError as error:
            form.add_refusal(error)
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


# ---------------------------------------------------------------------------------------------------------------------
# Employees


@handler_only
def unit_employees(request: HttpRequest) -> HttpResponse:
    user = request.user
    associations = associations_visible_to(user)
    active = list(associations.filter(state=AssociationState.ACTIVE).order_by("applicant__real_name", "pk"))
    permits = {
        (permit.holder_id, permit.unit_id): permit
        for permit in permits_visible_to(user).filter(holder_id__in=[row.applicant_id for row in active])
    }
    released = [
        {"association": row, "released_on": local_day(row.released_at),
         "deadline": row.left_on + timedelta(days=RELEASE_DAYS) if row.left_on else None}
        for row in associations.filter(state=AssociationState.RELEASED).order_by("-released_at")[:50]
    ]
    return render(request, "portal/unit/employees.html", {
        "requested": [{"association": row, "on": local_day(row.requested_at)}
                      for row in associations.filter(state=AssociationState.REQUESTED).order_by("requested_at")],
        "active": [employee_row(row, permits.get((row.applicant_id, row.unit_id))) for row in active],
        "released": released, "several_units": units_handled_by(user).count() > 1, "release_days": RELEASE_DAYS,
    })


def employee_row(association: Any, permit: Any) -> dict[str, Any]:
    return {"association": association, "since": local_day(association.decided_at), "permit": permit,
            "permit_status": PERMIT_WORDS.get(getattr(permit, "status", ""), "")}


def _association_action(service: Callable[..., Any], done: Any) -> Callable[..., HttpResponse]:
    @handler_only
    @require_POST
    def action(request: HttpRequest, pk: int) -> HttpResponse:
        association = found(association_for, request.user, pk)
        try:
            service(association=association, actor=request.user)
        except ServiceError as error:
            messages.error(request, refusal(error))
        else:
            name = association.applicant.real_name or association.applicant.username
            messages.success(request, str(done) % {"name": name})
        return redirect("portal:unit_employees")

    return action


association_accept_view = _association_action(association_accept, gettext_lazy("已接受 %(name)s 的关联申请。"))
association_refuse_view = _association_action(association_refuse, gettext_lazy("已拒绝 %(name)s 的关联申请。"))


@handler_only
def association_release_view(request: HttpRequest, pk: int) -> HttpResponse:
    """解除员工关联: the leaving date, then a confirmation with the 60-day deadline and the suspension of the permit."""
    association = found(association_for, request.user, pk)
    today = timezone.localdate()
    if association.state != AssociationState.ACTIVE:
        messages.error(request, _("该员工当前不是在职关联状态，不能解除。"))
        return redirect("portal:unit_employees")
    form = ReleaseForm(request.POST or None, today=today)
    confirm = None
    if request.method == "POST" and form.is_valid():
        left_on = form.cleaned_data["left_on"]
        if request.POST.get("confirm") == "yes":
            try:
                association = association_release(association=association, actor=request.user, left_on=left_on)
            except ServiceError as error:
                form.add_refusal(error)
            else:
                text = _("已解除与 %(name)s 的关联，其工作居住证已挂起。") % {
                    "name": association.applicant.real_name or association.applicant.username}
                if association.late:
                    text += _("本次解除已超过离职后60日，记为逾期解除。")
                (messages.warning if association.late else messages.success)(request, text)
                return redirect("portal:unit_employees")
        else:
            deadline = left_on + timedelta(days=RELEASE_DAYS)
            confirm = {"left_on": left_on, "deadline": deadline, "late": today > deadline,
                       "days_late": (today - deadline).days}
    return render(request, "portal/unit/release.html",
                  {"association": association, "form": form, "confirm": confirm, "today": today,
                   "release_days": RELEASE_DAYS}, status=422 if form.errors else 200)


@handler_only
def case_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a personal case for an active employee: the item (with its subtype), then what the case answers."""
    association = found(association_for, request.user, pk)
    if association.state != AssociationState.ACTIVE:
        messages.error(request, _("只能为在职关联的员工办理。"))
        return redirect("portal:unit_employees")
    item = request.POST.get("item") or request.GET.get("item") or ""
    if item not in PERSONAL_ITEMS:
        return render(request, "portal/unit/case_start.html", {"association": association, "items": PERSONAL_ITEMS})
    form = AnswersForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        kind, _sep, subtype = item.partition(":")
        try:
            case = case_open(actor=request.user, kind=kind, unit=association.unit, applicant=association.applicant,
                             subtype=subtype or None, answers=form.answers())
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("已开立案件。清单按评估结果生成，请逐项上传材料。"))
            return redirect("portal:case", case.public_id)
    return render(request, "portal/unit/case_start.html",
                  {"association": association, "item": item, "form": form}, status=422 if form.errors else 200)


# ---------------------------------------------------------------------------------------------------------------------
# Cases


@handler_only
def unit_cases(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    units = list(units_handled_by(user).order_by("name"))
    state, kind, unit_code = (request.GET.get(key, "") for key in ("state", "kind", "unit"))
    sort = request.GET.get("sort") if request.GET.get("sort") in CASE_SORTS else "-created"
    cases = cases_visible_to(user)
    if state in CaseState.values:
        cases = cases.filter(state=state)
    if kind in {choice for choice, _label in choices_of_kinds()}:
        cases = cases.filter(kind=kind)
    if unit_code:
        cases = cases.filter(unit__credit_code=unit_code)
    page = Paginator(cases.order_by(*CASE_SORTS[sort]), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"state": state, "kind": kind, "unit": unit_code}
    query = urlencode({key: value for key, value in {**filters, "sort": sort}.items() if value})
    return render(request, "portal/unit/cases.html", {
        "page_obj": page, "rows": [{"case": case, "clock": case_clock(case, today), "created_on": local_day(case.created_at)}
                 for case in page],
        "filters": filters, "sort": sort, "states": CaseState.values, "kinds": choices_of_kinds(), "units": units,
        "query": f"{query}&" if query else "",
        "filter_query": urlencode({key: value for key, value in filters.items() if value}),
    })


def choices_of_kinds() -> list[tuple[str, str]]:
    return choices(Service)


def case_page(request: HttpRequest, case: Case, **extra: Any) -> HttpResponse:
    """The shared case page again, with this role's errors (a form that comes back)."""
    return render(request, "portal/case/detail.html", {**case_context(request, case), **extra}, status=422)


def upload_refused(request: HttpRequest, case: Case, code: str, error: ServiceError) -> HttpResponse:
    """The case page again: the refusal next to the material, and in the summary at the top linking to it."""
    reason = refusal(error)
    return case_page(request, case, upload_errors={code: reason}, action_error=reason,
                     action_error_link=f"#upload-{code}")


@handler_only
@require_POST
def material_upload_view(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    case = found(case_for, request.user, public_id)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise Invalid({"file": _("请选择要上传的 PDF 文件。")})
        material = material_upload(case=case, code=code, actor=request.user, data=upload.read(),
                                   original_name=upload.name or "")
    except ServiceError as error:
        return upload_refused(request, case, code, error)
    messages.success(request, _("「%(title)s」已上传（%(pages)s 页）。") % {"title": material_title(code),
                                                                   "pages": material.file.pages})
    return redirect(reverse("portal:case", args=[case.public_id]) + f"#upload-{code}")


@handler_only
@require_POST
def material_reuse_view(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    case = found(case_for, request.user, public_id)
    try:
        unit_document_attach(case=case, actor=request.user, code=code)
    except ServiceError as error:
        return upload_refused(request, case, code, error)
    messages.success(request, _("已使用单位当前的「%(title)s」。") % {"title": material_title(code)})
    return redirect(reverse("portal:case", args=[case.public_id]) + f"#upload-{code}")


def day_label(day: date) -> str:
    """「11月27日 周五」, or 「Fri 27 Nov」."""
    if page_language() == "en":
        return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]}"
    return f"{day.month}月{day.day}日 {WEEKDAYS[day.weekday()]}"


def slot_weeks(today: date, chosen: str) -> list[dict[str, Any]]:
    """The free slots of the next four weeks, by week and day, with booked / capacity; the first weeks (or the week
    of the chosen slot) open."""
    weeks: dict[date, dict[date, list[dict[str, Any]]]] = {}
    for slot in slots_between(start=today, end=today + timedelta(weeks=SLOT_WEEKS)):
        start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
        monday = start.date() - timedelta(days=start.weekday())
        weeks.setdefault(monday, {}).setdefault(start.date(), []).append({
            "id": slot.public_id, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "booked": slot.booked,
            "capacity": slot.capacity, "full": slot.booked >= slot.capacity})
    out = [
        {"monday": monday, "open": False,
         "days": [{"day": day, "label": day_label(day), "slots": slots} for day, slots in days.items()],
         "chosen": any(slot["id"] == chosen for slots in days.values() for slot in slots)}
        for monday, days in weeks.items()
    ]
    shown = 0
    for week in out:
        week["open"] = week["chosen"] or (not any(w["chosen"] for w in out) and shown < OPEN_DAYS)
        shown += len(week["days"]) if week["open"] else 0
    return out


def submit_context(case: Case, *, chosen: str = "", **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    personal = case.kind not in UNIT_SERVICES
    materials = case_materials(case, case_checklist(case))
    return {
        "case": case, "personal": personal, "weeks": slot_weeks(today, chosen) if personal else [],
        "chosen": chosen, "year": today.year, "time_limit": ITEMS[Service(case.kind)].time_limit,
        "quota": quota_status(case.unit, today.year) if case.kind in QUOTA_KINDS else None,
        "missing": [m["code"] for m in materials if m["required"] and m["status"] in ("missing", "rejected")],
        "can_submit": case.state in (CaseState.DRAFT, CaseState.AWAITING_UNIT), **extra,
    }


@handler_only
def case_submit_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Submit (with the slot for personal items) after the consequence is stated; refusals come back here."""
    case = found(case_for, request.user, public_id)
    if request.method != "POST":
        template = "portal/unit/_submit.html" if request.htmx else "portal/unit/case_submit.html"
        return render(request, template, submit_context(case))
    chosen = request.POST.get("slot", "")
    errors: dict[str, Any] = {}
    try:
        slot = (chosen or None) if case.kind not in UNIT_SERVICES else None
        case_submit(case=case, actor=request.user, slot=slot)
    except Invalid as invalid:
        errors = {"slot_error" if "slot" in invalid.fields else "error": refusal(invalid)}
    except Ineligible as ineligible:
        checks = ineligible.assessment[page_language()]["checks"]
        errors = {"error": refusal(ineligible), "failing": [check for check in checks if check["outcome"] == "fail"]}
    except ServiceError as error:
        errors = {"error": refusal(error)}
    else:
        messages.success(request, _("已提交。办理时限自今日起计算。"))
        return redirect("portal:case", case.public_id)
    return render(request, "portal/unit/case_submit.html", submit_context(case, chosen=chosen, **errors), status=422)


def _case_action(service: Callable[..., Any], done: Any) -> Callable[..., HttpResponse]:
    @handler_only
    @require_POST
    def action(request: HttpRequest, public_id: str) -> HttpResponse:
        case = found(case_for, request.user, public_id)
        try:
            service(case=case, actor=request.user)
        except Ineligible as ineligible:
            checks = ineligible.assessment[page_language()]["checks"]
            return case_page(request, case, action_error=refusal(ineligible),
                             failing=[check for check in checks if check["outcome"] == "fail"])
        except ServiceError as error:
            return case_page(request, case, action_error=refusal(error))
        messages.success(request, str(done))
        return redirect("portal:case", case.public_id)

    return action


case_resubmit_view = _case_action(case_resubmit, gettext_lazy("已重新提交，案件回到审核中，办理时限继续计算。"))
case_withdraw_view = _case_action(case_withdraw, gettext_lazy("已撤回案件。占用的指标和预约已释放。"))


@handler_only
def case_answers_view(request: HttpRequest, public_id: str) -> HttpResponse:
    case = found(case_for, request.user, public_id)
    item = f"{case.kind}:{case.subtype}" if case.subtype else case.kind
    if item not in ITEM_ANSWERS:
        raise Http404("no answers")
    form = AnswersForm(request.POST or None, item=item, answers=case.answers)
    if request.method == "POST" and form.is_valid():
        try:
            case_update_answers(case=case, actor=request.user, answers={**case.answers, **form.answers()})
        except ServiceError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("已保存填报内容，材料清单已按新内容更新。"))
            return redirect("portal:case", case.public_id)
    return render(request, "portal/unit/case_answers.html", {"case": case, "form": form, "item": item},
                  status=422 if form.errors else 200)


# ---------------------------------------------------------------------------------------------------------------------
# Standing documents (系统附件管理)


def documents_context(request: HttpRequest, errors: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    units = list(units_handled_by(request.user).order_by("name"))
    transfers: dict[int, date] = {}
    for case in cases_visible_to(request.user).filter(kind="unit_transfer", state=CaseState.APPROVED):
        transfers[case.unit_id] = max(transfers.get(case.unit_id, date.min), local_day(case.decided_at) or date.min)
    rows = []
    for unit in units:
        documents, moved = unit_documents(unit), transfers.get(unit.pk)
        rows.append({"unit": unit, "transferred_on": moved, "documents": [
            {"code": code, "document": documents.get(code), "updated_on": local_day(getattr(documents.get(code),
                                                                                            "updated_at", None)),
             "stale": bool(moved) and (code not in documents or local_day(documents[code].updated_at) < moved),
             "error": (errors or {}).get((unit.credit_code, code), "")}
            for code in STANDING_CODES]})
    return {"rows": rows}


@handler_only
def unit_documents_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/unit/documents.html", documents_context(request))


@handler_only
@require_POST
def unit_document_upload_view(request: HttpRequest, credit_code: str, code: str) -> HttpResponse:
    unit = found(unit_for, request.user, credit_code)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise Invalid({"file": _("请选择要上传的 PDF 文件。")})
        unit_document_upload(unit=unit, actor=request.user, code=code, data=upload.read(),
                             original_name=upload.name or "")
    except ServiceError as error:
        context = documents_context(request, errors={(unit.credit_code, code): refusal(error)})
        return render(request, "portal/unit/documents.html", context, status=422)
    messages.success(request, _("已更新「%(name)s」的「%(title)s」。") % {"name": unit.name, "title": material_title(code)})
    return redirect(reverse("portal:unit_documents") + f"#doc-{unit.credit_code}-{code}")


@handler_only
def unit_document_file(request: HttpRequest, credit_code: str, code: str) -> HttpResponse:
    unit = found(unit_for, request.user, credit_code)
    document = unit_documents(unit).get(code)
    if document is None:
        raise Http404("document")
    response = HttpResponse(open_file(document.file), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{code}.pdf"'
    return response


urlpatterns = [
    path("unit/", unit_home, name="unit_home"),
    path("unit/register/", unit_register_page, name="unit_register"),
    path("unit/units/<str:credit_code>/association-code/", unit_code_regenerate, name="unit_code_regenerate"),
    path("unit/units/<str:credit_code>/account/<str:kind>/", unit_account, name="unit_account"),
    path("unit/quota/", unit_quota, name="unit_quota"),
    path("unit/employees/", unit_employees, name="unit_employees"),
    path("unit/employees/<int:pk>/accept/", association_accept_view, name="unit_association_accept"),
    path("unit/employees/<int:pk>/refuse/", association_refuse_view, name="unit_association_refuse"),
    path("unit/employees/<int:pk>/release/", association_release_view, name="unit_association_release"),
    path("unit/employees/<int:pk>/cases/new/", case_start, name="unit_case_start"),
    path("unit/cases/", unit_cases, name="unit_cases"),
    path("unit/cases/<str:public_id>/materials/<str:code>/", material_upload_view, name="unit_material_upload"),
    path("unit/cases/<str:public_id>/materials/<str:code>/reuse/", material_reuse_view, name="unit_material_reuse"),
    path("unit/cases/<str:public_id>/submit/", case_submit_view, name="unit_case_submit"),
    path("unit/cases/<str:public_id>/resubmit/", case_resubmit_view, name="unit_case_resubmit"),
    path("unit/cases/<str:public_id>/withdraw/", case_withdraw_view, name="unit_case_withdraw"),
    path("unit/cases/<str:public_id>/answers/", case_answers_view, name="unit_case_answers"),
    path("unit/documents/", unit_documents_page, name="unit_documents"),
    path("unit/documents/<str:credit_code>/<str:code>/", unit_document_upload_view, name="unit_document_upload"),
    path("unit/documents/<str:credit_code>/<str:code>/file/", unit_document_file, name="unit_document_file"),
]
