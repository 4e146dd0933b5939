"""The window clerk's workbench (issue 5 §4): the queue of open cases by due date, the list of every case, and the
clerk's work on a case — start the review, a verdict per material (its PDF opened in the browser's viewer), one
consolidated correction notice composed from the verdicts, a reason for each `review` outcome, approve (window items)
or forward (initial, renewal), reject with a reason.

The case page is the shared `portal/case/detail.html`; `clerk_case` renders it with the workbench (`clerk` in the
context) that `portal/case/_actions_window_clerk.html` shows. Every change is a service of `wrp.cases`; a refusal
comes back as the page with the error next to its field, a success as a redirect to the case (post/redirect/get).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from wrp.accounts.models import Role
from wrp.cases import clock
from wrp.cases.materials import material_verdict
from wrp.cases.models import OPEN_STATES, Case, CaseMaterial, CaseState, MaterialStatus
from wrp.cases.selectors import by_due_date, case_for, cases_filtered, clerk_queue, material_file_for
from wrp.cases.services import (
    BUREAU_KINDS,
    case_approve,
    case_forward,
    case_reject,
    case_return_for_correction,
    case_start_review,
)
from wrp.core.errors import Invalid, InvalidState, NotFound, ServiceError
from wrp.documents.services import StoredFileCorrupted, open_file
from wrp.policy.codes import (
    AccountStatus,
    AwardLevel,
    ChangeSubtype,
    ChildCase,
    Degree,
    District,
    HousingKind,
    Hukou,
    Penalty,
    PermitStatus,
    ProfessionalTitle,
    Qualification,
    Service,
    UnitKind,
)
from wrp.policy.labels import AWARD_GRADES, label
from wrp.policy.rules.conditions import CONDITION_TITLES
from wrp.portal.access import refusal_message, role_required
from wrp.portal.case_page import case_context, page_language
from wrp.portal.templatetags.portal import kind_label, material_title, state_label
from wrp.public.questions import GROUPS, PROMPTS, TEXTS, pick
from wrp.public.templatetags.wrp_format import cn_date, yuan

PAGE_SIZE = 20
QUEUE_STATES = [state for state in CaseState.values if state in OPEN_STATES]


# --- the queue and the list of cases -----------------------------------------------------------------------------------


class CaseFilter(forms.Form):
    """The filters above the queue and the list (GET): kind, state, unit name or credit code, order."""

    kind = forms.ChoiceField(label=gettext_lazy("事项"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    unit = forms.CharField(label=gettext_lazy("单位名称或统一社会信用代码"), required=False, max_length=100)
    sort = forms.ChoiceField(label=gettext_lazy("排序"), required=False)

    def __init__(self, *args: Any, states: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "kind": [("", _("全部事项")), *((kind.value, kind_label(kind.value)) for kind in Service)],
            "state": [("", _("全部状态")), *((state, state_label(state)) for state in states)],
            "sort": [("due", _("截止日期（最近的在前）")), ("new", _("提交时间（最新的在前）"))],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options

    def chosen(self) -> dict[str, str]:
        """The valid filters given; a bad value is reported on the form and ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def _listing(request: HttpRequest, *, queue: bool) -> HttpResponse:
    form = CaseFilter(request.GET or None, states=QUEUE_STATES if queue else list(CaseState.values))
    chosen = form.chosen()
    sort = chosen.pop("sort", "due" if queue else "new")
    cases = (clerk_queue if queue else cases_filtered)(request.user, **chosen)
    cases = by_due_date(cases) if sort == "due" else cases.order_by(F("accepted_on").desc(nulls_last=True), "-created_at", "-id")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    # The clock of each row is arithmetic on the case's own fields and the cached calendar: no query per row.
    rows = [{"case": case, "clock": clock.view(case, today=today)} for case in page.object_list]
    kept = [(key, str(value)) for key, value in request.GET.items() if key != "page" and value]
    return render(request, "portal/clerk/cases.html", {
        "queue": queue,
        "by_due": sort == "due",
        "form": form,
        "filtered": bool(chosen),
        "page_obj": page,
        "rows": rows,
        "query": urlencode(kept) + "&" if kept else "",
    })


@role_required(Role.WINDOW_CLERK)
@require_GET
def clerk_queue_page(request: HttpRequest) -> HttpResponse:
    return _listing(request, queue=True)


@role_required(Role.WINDOW_CLERK)
@require_GET
def clerk_cases_page(request: HttpRequest) -> HttpResponse:
    return _listing(request, queue=False)


# --- the frozen facts as a definition list ------------------------------------------------------------------------------

CODES: dict[str, type[StrEnum]] = {
    "change.subtype": ChangeSubtype,
    "unit.kind": UnitKind,
    "unit.registered_district": District,
    "unit.tax_district": District,
    "unit.account.status": AccountStatus,
    "unit.account.district": District,
    "unit.penalty": Penalty,
    "unit.qualifications": Qualification,
    "applicant.hukou": Hukou,
    "applicant.housing.kind": HousingKind,
    "applicant.degree": Degree,
    "applicant.professional_title": ProfessionalTitle,
    "applicant.award.level": AwardLevel,
    "applicant.permit.status": PermitStatus,
    "applicant.children.case": ChildCase,
}
# Names of the facts the self-check never asks one by one (whole objects that are empty, a year-by-year table).
NAMES: dict[str, tuple[str, str]] = {
    "unit.annual_tax": ("单位纳税额", "Tax the unit paid"),
    "unit.account": ("单位工作居住证账户", "The unit's permit account"),
    "applicant.children": ("随往子女", "Accompanying children"),
    "applicant.housing": ("在京住所", "Home in Beijing"),
    "applicant.award": ("获奖情况", "Award"),
    "applicant.ip": ("知识产权", "Intellectual property"),
    "applicant.startup": ("创业情况", "Start-up"),
    "applicant.annual_tax_paid": ("本人纳税额", "Tax the applicant paid"),
    "applicant.taxable_income_by_year": ("各年应税收入", "Taxable income by year"),
    "applicant.permit": ("现持工作居住证", "Current work residence permit"),
}


def _name(path: str, lang: str, **fill: Any) -> str:
    prompt = PROMPTS.get(path)
    if prompt is not None and (fill or "{" not in prompt.label[0]):
        return pick(prompt.label, lang).format(**fill)
    if path in NAMES:
        return pick(NAMES[path], lang)
    return path


def _value(path: str, value: Any, lang: str) -> str:
    """One fact in words: codes by their names, dates and money in the house formats, numbers with their unit."""
    if value is None:
        if path == "applicant.contract_end":
            return _("无固定期限")
        return pick(TEXTS["none"], lang)
    if isinstance(value, bool):
        return pick(TEXTS["yes" if value else "no"], lang)
    if isinstance(value, list | dict) and not value:
        return pick(TEXTS["none"], lang)
    if isinstance(value, list):
        return "、".join(_value(path, item, lang) for item in value)
    enum = CODES.get(path)
    if enum is not None and value in enum._value2member_map_:
        return label(enum(value), lang)
    if path == "applicant.talent_condition" and value in CONDITION_TITLES:
        return f"{value}. {pick(CONDITION_TITLES[value], lang)}"
    if path == "applicant.award.grade" and value in AWARD_GRADES:
        return pick(AWARD_GRADES[value], lang)
    if path == "applicant.nationality" and value in TEXTS:
        return pick(TEXTS[value], lang)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return cn_date(date.fromisoformat(value))
        except ValueError:
            return value
    prompt = PROMPTS.get(path)
    suffix = pick(prompt.suffix, lang) if prompt else ""
    if suffix in ("元", "yuan"):
        return yuan(value)
    return f"{value} {suffix}".strip() if lang == "en" else f"{value}{suffix}"


def _fact_rows(section: str, facts: Any, lang: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(path: str, name: str, value: Any, code_path: str | None = None) -> None:
        rows.append({"path": path, "label": name, "value": _value(code_path or path, value, lang)})

    def walk(path: str, value: Any) -> None:
        prompt = PROMPTS.get(path)
        if isinstance(value, dict) and value and prompt and "{year}" in prompt.label[0]:
            for year, amount in value.items():
                add(f"{path}.{year}", _name(path, lang, year=year), amount, path)
        elif isinstance(value, dict) and value:
            for key, inner in value.items():
                walk(f"{path}.{key}", inner)
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                for key, inner in item.items():
                    add(f"{path}.{index}.{key}", _name(path, lang, number=index + 1), inner, f"{path}.{key}")
        else:
            add(path, _name(path, lang), value)

    for key, value in (facts or {}).items():
        walk(f"{section}.{key}", value)
    return rows


def fact_sections(facts: dict[str, Any] | None, lang: str, *, changed: dict[str, Any]) -> list[dict[str, Any]]:
    """The assessment request frozen at submission, as titled groups of (label, value) rows; rows the latest
    resubmission changed are marked."""
    sections = []
    for section in ("change", "unit", "applicant"):
        if not (facts or {}).get(section):
            continue
        rows = _fact_rows(section, facts[section], lang)  # type: ignore[index]
        for row in rows:
            row["changed"] = any(row["path"] == p or row["path"].startswith(p + ".") for p in changed)
        sections.append({"title": pick(GROUPS[section], lang), "rows": rows})
    return sections


# --- the case page ---------------------------------------------------------------------------------------------------

APPROVAL_EFFECTS = {
    Service.UNIT_OPENING: gettext_lazy("为单位开通朝阳区工作居住证账户"),
    Service.UNIT_TRANSFER: gettext_lazy("将单位的工作居住证账户迁入朝阳区"),
    Service.EMPLOYER_CHANGE: gettext_lazy("将持证人的工作居住证变更到本单位"),
    Service.CHILDREN_CHANGE: gettext_lazy("变更持证人的随往子女"),
    Service.INFO_CHANGE: gettext_lazy("变更持证人的证件基础信息"),
}


def _case(request: HttpRequest, public_id: str) -> Case:
    try:
        return case_for(request.user, public_id)
    except NotFound:
        raise Http404("case") from None


def _workbench(context: dict[str, Any], *, errors: dict[str, str], values: dict[str, str],
               viewing: str | None) -> dict[str, Any]:
    """What the clerk's part of the case page needs beyond the shared case context (no further query)."""
    case: Case = context["case"]
    lang = page_language()
    with_file = [material for material in context["materials"] if material["file"]]
    codes = [material["code"] for material in with_file]
    if viewing not in codes:
        waiting = [material["code"] for material in with_file if material["status"] == MaterialStatus.UPLOADED]
        viewing = (waiting or codes or [None])[0]
    materials = [
        {
            **material,
            "viewing": material["code"] == viewing,
            "verdict": values.get(f"verdict_{material['code']}", ""),
            "verdict_reason": values.get(f"verdict_reason_{material['code']}", ""),
            "verdict_error": errors.get(f"verdict_{material['code']}"),
            "verdict_reason_error": errors.get(f"verdict_reason_{material['code']}"),
        }
        for material in context["materials"]
    ]
    checks = (context["assessment"] or {}).get("checks", [])
    reviews = [
        {
            **check,
            "field": f"review_{check['rule']}",
            "value": values.get(f"review_{check['rule']}", (case.review_reasons or {}).get(check["rule"], "")),
            "error": errors.get(f"review_{check['rule']}"),
        }
        for check in checks
        if check["outcome"] == "review"
    ]
    notice = [
        {"code": material["code"], "field": f"problem_{material['code']}",
         "value": values.get(f"problem_{material['code']}", material["reason"]),
         "error": errors.get(f"problem_{material['code']}")}
        for material in context["materials"]
        if material["status"] == MaterialStatus.REJECTED
    ]
    changes = context["changes"]
    as_of = (case.frozen_facts or {}).get("as_of")
    return {
        "facts": fact_sections(case.frozen_facts, lang, changed=changes["facts"]),
        "as_of": date.fromisoformat(as_of) if as_of else None,
        "materials": materials,
        "viewing": next((material for material in materials if material["viewing"]), None),
        "reviews": reviews,
        "notice": notice,
        "not_accepted": [m for m in materials if m["required"] and m["status"] != MaterialStatus.ACCEPTED],
        "forward": case.kind in BUREAU_KINDS,
        "effect": APPROVAL_EFFECTS.get(case.kind, ""),
        "resubmitted": bool(changes["facts"] or changes["materials"]),
        "errors": errors,
        "values": values,
        "summary": [{"anchor": f"clerk-{field}", "message": message} for field, message in errors.items()],
    }


def _render_case(request: HttpRequest, case: Case, *, errors: dict[str, str] | None = None,
                 values: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    context = case_context(request, case)
    context["clerk"] = _workbench(context, errors=errors or {}, values=values or {}, viewing=request.GET.get("view"))
    return render(request, "portal/case/detail.html", context, status=status)


def _to_case(case: Case, *, view: str | None = None, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("portal:clerk_case", args=[case.public_id])
    if view:
        url += "?" + urlencode({"view": view})
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, case: Case, error: ServiceError) -> HttpResponse:
    """A refusal that is not about a field (the case moved on meanwhile, a role rule): say so on the fresh page."""
    if isinstance(error, InvalidState) and error.state in CaseState.values:
        messages.error(request, _("案件当前为“%(state)s”，不能进行此操作；页面已按最新状态显示。")
                       % {"state": state_label(error.state)})
    elif isinstance(error, InvalidState):
        messages.error(request, _("当前状态不允许此操作；页面已按最新状态显示。"))
    else:
        messages.error(request, refusal_message(error))
    return _to_case(case)


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm") == "yes"


@role_required(Role.WINDOW_CLERK)
@require_GET
def clerk_case(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_case(request, _case(request, public_id))


@role_required(Role.WINDOW_CLERK)
@require_GET
@xframe_options_sameorigin
def clerk_material_view(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    """The material's PDF, inline, for the browser's own viewer (and the viewer frame on the case page)."""
    try:
        stored = material_file_for(request.user, public_id, code)
    except NotFound:
        raise Http404("material") from None
    try:
        data = open_file(stored)
    except StoredFileCorrupted:
        return HttpResponse(_("文件已损坏或丢失，请联系系统管理员。"), status=500, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{public_id}-{code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_start_review(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _case(request, public_id)
    try:
        case_start_review(case=case, actor=request.user)
    except ServiceError as error:
        return _refused(request, case, error)
    messages.success(request, _("已开始审核。请逐项审核材料，再作出决定。"))
    return _to_case(case, anchor="clerk-materials")


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_verdict(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    case = _case(request, public_id)
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
    case = _case(request, public_id)
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
    case = _case(request, public_id)
    reasons = {
        key.removeprefix("review_"): str(text).strip() for key, text in request.POST.items() if key.startswith("review_")
    }
    values = {f"review_{rule}": text for rule, text in reasons.items()}
    forward = case.kind in BUREAU_KINDS
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
    case = _case(request, public_id)
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


urlpatterns = [
    path("clerk/", clerk_queue_page, name="clerk_queue"),
    path("clerk/cases/", clerk_cases_page, name="clerk_cases"),
    path("clerk/cases/<str:public_id>/", clerk_case, name="clerk_case"),
    path("clerk/cases/<str:public_id>/start", clerk_start_review, name="clerk_start_review"),
    path("clerk/cases/<str:public_id>/materials/<str:code>/view", clerk_material_view, name="clerk_material_view"),
    path("clerk/cases/<str:public_id>/materials/<str:code>/verdict", clerk_verdict, name="clerk_verdict"),
    path("clerk/cases/<str:public_id>/return", clerk_return, name="clerk_return"),
    path("clerk/cases/<str:public_id>/decide", clerk_decide, name="clerk_decide"),
    path("clerk/cases/<str:public_id>/reject", clerk_reject, name="clerk_reject"),
]
