"""The applicant portal (issue 5 §2): the applicant's home, their real-name profile, the self-check prefilled from it,
association with a unit, their cases — with the actions on the shared case page (upload each material, submit to the
unit, withdraw) — and their permit.

Every page is for the applicant role alone (`role_required`); objects come from the selectors, so another person's
case is a 404 like one that does not exist. Personal data travels only in POST bodies: the profile is saved by POST
and the page then redirects to itself, and the prefilled self-check is a GET that reads the profile on the server.

The profile and the prefilled self-check reuse the public self-check's questions and form (`wrp.public.questions`,
`wrp.public.forms.CheckForm`): the same labels, help, choices and shape checks; the profile asks every applicant fact
(each optional, so it can be filled in over time) and, of the talent-condition details, those of the condition
claimed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import Resolver404, path, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from wrp.accounts.models import Role
from wrp.accounts.selectors import id_number_shown_to
from wrp.accounts.services import profile_save, user_set_id_number
from wrp.cases import clock
from wrp.cases.facts import profile_facts
from wrp.cases.materials import material_upload
from wrp.cases.models import Case, CaseState
from wrp.cases.selectors import case_for, cases_listed
from wrp.cases.services import case_open, case_submit, case_withdraw
from wrp.core.errors import FileRefused, Invalid, InvalidState, NotFound, ServiceError
from wrp.documents.pdfcheck import MAX_BYTES
from wrp.permits.models import PermitStatus
from wrp.permits.selectors import permit_facts, permit_of, permits_visible_to
from wrp.policy.codes import (
    PERSONAL_SERVICES,
    RENTED_HOUSING,
    ChangeSubtype,
    ChildCase,
    Degree,
    HousingKind,
    Hukou,
    Service,
)
from wrp.policy.codes import PermitStatus as PolicyPermitStatus
from wrp.policy.identifiers import resident_id_problem
from wrp.policy.items import ITEMS
from wrp.policy.labels import LABELS, label
from wrp.policy.materials import MATERIALS
from wrp.policy.rules.conditions import CONDITION_READS
from wrp.portal.access import refusal_message, role_required
from wrp.portal.case_page import case_context
from wrp.public import views as check_views
from wrp.public.forms import DATE_FORMATS, CheckForm, assessment_request, current_lang
from wrp.public.questions import (
    FACTS,
    FLAG,
    MONEY,
    MULTI,
    NONE,
    NONE_CHOICE,
    PROMPTS,
    SERVICE_SUMMARIES,
    YES_NO,
    Question,
    Questionnaire,
    Raw,
    ask,
    pick,
    questionnaire,
)
from wrp.units.associations import association_request, associations_visible_to
from wrp.units.models import Association, AssociationState
from wrp.units.selectors import unit_facts

PAGE_SIZE = 20
RECENT_CASES = 5
RENEWAL_WINDOW = timedelta(days=60)  # POLICY §1 续签: within the 60 days before the permit ends
MAX_CHILDREN = 3
UPLOADABLE = (CaseState.DRAFT, CaseState.AWAITING_UNIT, CaseState.RETURNED)

# The profile: every applicant fact of the self-check but `permit` (the system keeps it). The details of one talent
# condition only (IP, startup, tax paid, income by year, recommendation, overseas qualification) are asked when that
# condition is claimed; education, title and award describe the person and are always asked.
PROFILE_PATHS = tuple(p for p in FACTS if p.startswith("applicant.") and p != "applicant.permit")
CONDITION_DETAILS = frozenset(
    {"applicant.ip", "applicant.startup", "applicant.annual_tax_paid", "applicant.taxable_income_by_year",
     "applicant.recommended_and_approved", "applicant.overseas_qualification"}
)  # fmt: skip
# Unit facts the prefilled self-check takes from the unit the applicant is associated with: its registry data, not its
# quota, penalties or tax figures.
UNIT_REGISTRY_FACTS = ("kind", "legal_person", "registered_district", "tax_district", "tax_paid_since", "account",
                       "qualifications")  # fmt: skip
REFUSALS = {
    "not_pdf": (gettext_lazy("不是PDF文件"), gettext_lazy("按文件内容判断，修改扩展名无效；请上传PDF格式的扫描件。")),
    "too_large": (gettext_lazy("文件超过20MB"), gettext_lazy("请压缩或拆分后重新上传。")),
    "too_many_pages": (gettext_lazy("超过200页"), gettext_lazy("请拆分后重新上传。")),
    "encrypted": (gettext_lazy("文件已加密"), gettext_lazy("请去除密码或权限限制后重新上传。")),
    "damaged": (gettext_lazy("文件已损坏"), gettext_lazy("文件无法读取；请重新生成或扫描后上传。")),
}
ASSOCIATION_STATES = {
    AssociationState.REQUESTED: gettext_lazy("待单位确认"),
    AssociationState.ACTIVE: gettext_lazy("已关联"),
    AssociationState.REFUSED: gettext_lazy("已拒绝"),
    AssociationState.RELEASED: gettext_lazy("已解除"),
}
_MISSING = object()


# --- small helpers ----------------------------------------------------------------------------------------------------


def in_page_language(text: str) -> str:
    """A service's bilingual message ("中文 / English", several joined by "；") in the page's language."""
    english = current_lang() == "en"
    parts = []
    for piece in str(text).split("；"):
        chinese, separator, english_text = piece.partition(" / ")
        parts.append(english_text if english and separator else chinese)
    return ("; " if english else "；").join(parts)


def _own_case(request: HttpRequest, public_id: str) -> Case:
    try:
        return case_for(request.user, public_id)
    except NotFound:
        raise Http404("case") from None


def _case_url(case: Case, fragment: str = "") -> str:
    return reverse("portal:case", args=[case.public_id]) + (f"#{fragment}" if fragment else "")


def _active_association(user: Any) -> Association | None:
    return associations_visible_to(user).filter(state=AssociationState.ACTIVE).first()


def association_rows(user: Any) -> list[dict[str, Any]]:
    return [
        {"association": association, "state_label": ASSOCIATION_STATES[AssociationState(association.state)]}
        for association in associations_visible_to(user).order_by("-requested_at", "-id")
    ]


def certificate_url(number: str) -> str | None:
    """The permit certificate's address if that page exists (issue 6 builds it), else None."""
    url = f"/permits/{quote(number)}/certificate.pdf"
    try:
        resolve(url)
    except Resolver404:
        return None
    return url


def permit_status_label(status: str) -> str:
    return label(PolicyPermitStatus(status), current_lang()) if status in PermitStatus.values else status


def child_case_label(case: str) -> str:
    return label(ChildCase(case), current_lang()) if case in ChildCase._value2member_map_ else case


# --- facts ⇄ the self-check's form answers --------------------------------------------------------------------------


def _flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths of a facts tree (`applicant.children.0.case`); a null object stays one null entry."""
    if isinstance(tree, dict):
        flat: dict[str, Any] = {}
        for key, value in tree.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(tree, list) and any(isinstance(item, dict) for item in tree):
        flat = {}
        for index, value in enumerate(tree):
            flat.update(_flatten(value, f"{prefix}.{index}"))
        return flat
    return {prefix: tree}


def _raw_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value)


def _answer(question: Question, flat: Mapping[str, Any]) -> Any:
    """What the form field of `question` holds for the stored facts (None: unanswered)."""
    if question.kind == FLAG:  # the open-ended box: contract_end stated, and null
        parent = question.path.rpartition(".")[0]
        return "on" if flat.get(parent, _MISSING) is None else None
    if question.kind == NONE_CHOICE and flat.get(question.null_path or question.path, _MISSING) is None:
        return NONE
    value = flat.get(question.path)
    if value is None:
        return None
    if question.kind == MONEY:
        return format(Decimal(str(value)).normalize(), ",f")
    if question.kind == MULTI:
        return [str(item) for item in value]
    if question.kind == YES_NO:
        return "yes" if value else "no"
    return _raw_text(value)


def bound_answers(tree: dict[str, Any], build: Callable[[Mapping[str, Any]], Questionnaire]) -> tuple[
    Questionnaire, QueryDict
]:
    """The questionnaire for stored facts and the form data that answers it, as if the person had typed them."""
    flat = _flatten(tree)
    raw = {name.replace(".", "__"): text for name, value in flat.items() if (text := _raw_text(value)) is not None}
    if flat.get("applicant.contract_end", _MISSING) is None:
        raw["applicant__contract_end__open"] = "on"
    asked = build(raw)
    data = QueryDict(mutable=True)
    for question in asked.questions:
        answer = _answer(question, flat)
        if isinstance(answer, list):
            data.setlist(question.name, answer)
        elif answer is not None:
            data[question.name] = answer
    return asked, data


def profile_questionnaire(as_of: date, answers: Mapping[str, Any]) -> Questionnaire:
    """The profile's questions, shaped by the structural answers (talent condition, housing, children, …)."""
    raw = Raw(answers, as_of)
    claimed = CONDITION_READS.get(raw.condition() or 0, ())
    paths = [p for p in PROFILE_PATHS if p not in CONDITION_DETAILS or p in claimed]
    asked = []
    for fact in paths:
        spec = FACTS[fact]
        asked.extend(spec(raw) if callable(spec) else [ask(fact, *spec)])
    return Questionnaire(Service.INITIAL, as_of, tuple(paths), tuple(asked))


def profile_form(as_of: date, lang: str, data: Any) -> tuple[CheckForm, int]:
    """The profile form — the self-check's fields, every one optional (the profile is filled in over time) — and how
    many of the questions the self-check requires are still unanswered."""
    asked = profile_questionnaire(as_of, data)
    optional = tuple(dataclasses.replace(question, required=False) for question in asked.questions)
    form = CheckForm(dataclasses.replace(asked, questions=optional), lang, data)
    return form, sum(1 for question in asked.questions if question.required and not form.answered(question.name))


def stored_profile_form(user: Any, as_of: date, lang: str) -> tuple[CheckForm, int]:
    _asked, data = bound_answers({"applicant": profile_facts(user)}, lambda raw: profile_questionnaire(as_of, raw))
    return profile_form(as_of, lang, data)


def error_summary(fieldsets: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"anchor": row["anchor"], "label": row["field"].label, "message": row["errors"][0]}
        for fieldset in fieldsets
        for row in fieldset["rows"]
        if row["errors"]
    ]


# --- pages -----------------------------------------------------------------------------------------------------------


@role_required(Role.APPLICANT)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    associations = association_rows(user)
    recent = [{"case": case, "clock": clock.view(case, today=today)} for case in cases_listed(user)[:RECENT_CASES]]
    permit = permit_of(user)
    _form, unanswered = stored_profile_form(user, today, current_lang())
    context = {
        "associations": associations,
        "recent": recent,
        "permit": permit,
        "permit_status": permit_status_label(permit.status) if permit else "",
        "steps": next_steps(user, associations, recent, permit, unanswered=unanswered, today=today),
    }
    return render(request, "portal/applicant/home.html", context)


def next_steps(user: Any, associations: list[dict[str, Any]], recent: list[dict[str, Any]], permit: Any, *,
               unanswered: int, today: date) -> list[dict[str, str]]:
    """What the applicant can do next, most urgent first: (text, link)."""
    steps = []
    states = {row["association"].state for row in associations}
    for row in recent:
        case = row["case"]
        if case.state == CaseState.RETURNED:
            steps.append({"text": _("案件 %(id)s 被退回补正：请按补正告知重新上传材料。") % {"id": case.public_id},
                          "url": _case_url(case)})
        elif case.state == CaseState.DRAFT:
            steps.append({"text": _("案件 %(id)s 还是草稿：上传材料后提交给单位。") % {"id": case.public_id},
                          "url": _case_url(case)})
    if not user.id_number_masked:
        steps.append({"text": _("登记您的公民身份号码。"), "url": reverse("portal:applicant_profile")})
    if unanswered:
        steps.append({"text": _("完善个人资料：还有 %(n)d 项未填写。") % {"n": unanswered},
                      "url": reverse("portal:applicant_profile")})
    if AssociationState.ACTIVE not in states:
        if AssociationState.REQUESTED in states:
            steps.append({"text": _("等待单位确认您的关联申请。"), "url": reverse("portal:applicant_association")})
        else:
            steps.append({"text": _("用单位关联码向聘用单位提出关联申请。"),
                          "url": reverse("portal:applicant_association")})
    elif permit is None and not recent:
        steps.append({"text": _("先用资料做一次自助检查，再新建初次申请。"),
                      "url": reverse("portal:applicant_check") + "?service=initial"})
    if permit is not None and permit.status == PermitStatus.VALID and permit.valid_until - today <= RENEWAL_WINDOW:
        steps.append({"text": _("证件将于 60 日内到期，可以办理续签。"), "url": reverse("portal:applicant_case_new")})
    return steps


@role_required(Role.APPLICANT)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The real-name profile. A live (htmx) update re-asks the questions the answers call for; 「保存」 saves."""
    user = request.user
    lang = current_lang()
    today = timezone.localdate()
    typed_id, id_error, general = "", "", []
    if request.method == "POST":
        form, unanswered = profile_form(today, lang, request.POST)
        typed_id = request.POST.get("id_number", "").strip()
        if "save" in request.POST:
            shown, id_error, general = profile_submit(request, form, typed_id)
            if shown is None:
                messages.success(request, _("资料已保存。"))
                return redirect("portal:applicant_profile")
        else:
            shown = form.shown_errors(submitted=False)
    else:
        form, unanswered = stored_profile_form(user, today, lang)
        shown = {}
    fieldsets = form.fieldsets(shown)
    summary = error_summary(fieldsets)
    if id_error:
        summary.insert(0, {"anchor": "id_id_number", "label": _("公民身份号码"), "message": id_error})
    context = {
        "fieldsets": fieldsets,
        "summary": summary,
        "general_errors": general,
        "submitted": "save" in request.POST,
        "unanswered": unanswered,
        "id_masked": user.id_number_masked,
        "id_whole": id_number_shown_to(user, user),
        "typed_id": typed_id,
        "id_error": id_error,
        "check_services": check_service_links(lang),
    }
    template = "portal/applicant/_profile_form.html" if request.htmx else "portal/applicant/profile.html"
    return render(request, template, context)


def profile_submit(request: HttpRequest, form: CheckForm, typed_id: str) -> tuple[dict[str, list[str]] | None, str,
                                                                                list[str]]:
    """Save the profile and, when one was typed, the new resident ID number: both or neither.

    Returns (None, "", []) when saved, else the errors to show by field, the ID number's error and the errors that
    belong to no field.
    """
    user = request.user
    id_error = ""
    general: list[str] = []
    if not form.is_valid():
        problem = resident_id_problem(typed_id) if typed_id else None
        return form.shown_errors(submitted=True), (pick((problem.zh, problem.en), current_lang()) if problem else ""), []
    facts = assessment_request(form.questionnaire, form.cleaned_data).get("applicant", {})
    with transaction.atomic():
        if typed_id:
            try:
                user_set_id_number(user=user, id_number=typed_id, actor=user)
            except Invalid as invalid:
                id_error = in_page_language(invalid.fields.get("id_number", refusal_message(invalid)))
        try:
            profile_save(user=user, facts=facts, actor=user)
        except Invalid as invalid:
            for fact, message in invalid.fields.items():
                name = form.questionnaire.field_for(f"applicant.{fact}")
                if name is None:
                    general.append(in_page_language(message))
                elif name not in form.errors:
                    form.add_error(name, in_page_language(message))
        if id_error or form.errors or general:
            transaction.set_rollback(True)
    if id_error or form.errors or general:
        user.refresh_from_db()
        return form.shown_errors(submitted=True), id_error, general
    return None, "", []


def check_service_links(lang: str) -> list[dict[str, str]]:
    base = reverse("portal:applicant_check")
    return [{"title": label(service, lang), "url": f"{base}?service={service}"}
            for service in Service if service in PERSONAL_SERVICES]


@role_required(Role.APPLICANT)
def self_check(request: HttpRequest) -> HttpResponse:
    """The public self-check, its answers prefilled from the profile, the permit and the associated unit's registry
    data. A GET (nothing personal in the address); from here on the form posts to the public /check/ as usual."""
    chosen = request.GET.get("service", "")
    if chosen not in {str(service) for service in PERSONAL_SERVICES}:
        return redirect(reverse("portal:applicant_check") + "?service=initial")
    service, lang, today = Service(chosen), current_lang(), timezone.localdate()
    tree: dict[str, Any] = {"applicant": {**profile_facts(request.user), "permit": permit_facts(permit_of(request.user))}}
    association = _active_association(request.user)
    if association is not None:
        registry = unit_facts(association.unit, as_of=today)
        tree["unit"] = {key: registry[key] for key in UNIT_REGISTRY_FACTS}
    asked, data = bound_answers(tree, lambda raw: questionnaire(service, today, raw))
    form = CheckForm(asked, lang, data)
    evaluation = check_views._assess(form, lang)
    fieldsets = form.fieldsets(form.shown_errors(submitted=False))
    messages.info(request, _("已按您的资料、证件和所关联单位的登记信息预先填写。在这里修改不会改动您的资料。"))
    context = {
        "service": service,
        "service_title": label(service, lang),
        "item": ITEMS[service],
        "form": form,
        "service_summary": pick(SERVICE_SUMMARIES[service], lang),
        "fieldsets": fieldsets,
        "summary": error_summary(fieldsets),
        "general_errors": form.general_errors,
        "submitted": False,
        "remaining": form.remaining(),
        "error_count": sum(1 for fieldset in fieldsets for row in fieldset["rows"] if row["errors"])
        + len(form.general_errors),
        "result": check_views._result(evaluation, lang) if evaluation is not None else None,
        "as_of": today,
    }
    return render(request, "public/check.html", context)


@role_required(Role.APPLICANT)
@require_http_methods(["GET", "POST"])
def association(request: HttpRequest) -> HttpResponse:
    code, error = "", ""
    if request.method == "POST":
        code = request.POST.get("association_code", "").strip()
        if not code:
            error = _("请填写单位关联码")
        else:
            try:
                made = association_request(actor=request.user, association_code=code)
            except Invalid as invalid:
                error = in_page_language(invalid.fields.get("association_code", refusal_message(invalid)))
            except InvalidState as refused:
                error = in_page_language(str(refused))
            else:
                messages.success(request, _("关联申请已发送给%(unit)s，等待单位确认。") % {"unit": made.unit.name})
                return redirect("portal:applicant_association")
    context = {"associations": association_rows(request.user), "code": code, "error": error}
    return render(request, "portal/applicant/association.html", context)


@role_required(Role.APPLICANT)
def cases(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(cases_listed(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    context = {
        "page_obj": page_obj,
        "rows": [{"case": case, "clock": clock.view(case, today=today)} for case in page_obj],
        "association": _active_association(request.user),
    }
    return render(request, "portal/applicant/cases.html", context)


# --- a new case --------------------------------------------------------------------------------------------------------

NEW_CASES: tuple[tuple[Service, ChangeSubtype | None], ...] = (
    (Service.INITIAL, None),
    (Service.EMPLOYER_CHANGE, None),
    (Service.CHILDREN_CHANGE, None),
    (Service.INFO_CHANGE, ChangeSubtype.ADDRESS),
    (Service.INFO_CHANGE, ChangeSubtype.NAME_OR_HUKOU),
    (Service.INFO_CHANGE, ChangeSubtype.EDUCATION),
    (Service.RENEWAL, None),
)
WITH_CHILDREN = frozenset({Service.INITIAL, Service.CHILDREN_CHANGE})


def _choices(codes: Any, lang: str, *, blank: str = "") -> list[tuple[str, str]]:
    return ([("", blank)] if blank else []) + [(str(code), pick(LABELS[code], lang)) for code in codes]


def _prompted(field: forms.Field, prompt: str, lang: str) -> forms.Field:
    field.label, field.help_text = pick(PROMPTS[prompt].label, lang).format(number=""), pick(PROMPTS[prompt].help, lang)
    return field


class CaseAnswersForm(forms.Form):
    """What a new case carries itself: the children (names and cases) of an initial application or a children change,
    or the new address, name or hukou, or education of a basic-information change."""

    def __init__(self, kind: Service, subtype: ChangeSubtype | None, lang: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.subtype = kind, subtype
        choose = pick(("— 请选择 —", "— Choose —"), lang)
        if kind in WITH_CHILDREN:
            for index in range(MAX_CHILDREN):
                self.fields[f"child_{index}_name"] = forms.CharField(
                    label=_("子女 %(n)d 姓名") % {"n": index + 1}, max_length=50, required=False)
                self.fields[f"child_{index}_case"] = forms.ChoiceField(
                    label=_("子女 %(n)d 情形") % {"n": index + 1}, required=False,
                    choices=_choices(ChildCase, lang, blank=pick(("无", "None"), lang)))
        elif subtype == ChangeSubtype.ADDRESS:
            self.fields["housing_kind"] = _prompted(
                forms.ChoiceField(choices=_choices(HousingKind, lang, blank=choose)), "applicant.housing.kind", lang)
            self.fields["lease_end"] = _prompted(
                forms.DateField(required=False, input_formats=DATE_FORMATS,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")),
                "applicant.housing.lease_end", lang)
        elif subtype == ChangeSubtype.NAME_OR_HUKOU:
            self.fields["real_name"] = forms.CharField(label=_("新姓名"), max_length=100, required=False,
                                                       help_text=_("与新身份证件上的姓名一致；不变更姓名的不填。"))
            self.fields["hukou"] = _prompted(
                forms.ChoiceField(choices=_choices(Hukou, lang, blank=choose), required=False), "applicant.hukou", lang)
        elif subtype == ChangeSubtype.EDUCATION:
            self.fields["degree"] = _prompted(
                forms.ChoiceField(choices=_choices(Degree, lang, blank=choose)), "applicant.degree", lang)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.kind in WITH_CHILDREN:
            named = 0
            for index in range(MAX_CHILDREN):
                name, case = data.get(f"child_{index}_name", "").strip(), data.get(f"child_{index}_case", "")
                if name and not case:
                    self.add_error(f"child_{index}_case", _("请选择该子女的情形"))
                elif case and not name:
                    self.add_error(f"child_{index}_name", _("请填写该子女的姓名"))
                named += bool(name and case)
            if self.kind == Service.CHILDREN_CHANGE and not named and not self.errors:
                self.add_error("child_0_name", _("请至少填写一名要随往的子女"))
        if self.subtype == ChangeSubtype.ADDRESS and data.get("housing_kind") in RENTED_HOUSING and not data.get(
            "lease_end"
        ):
            self.add_error("lease_end", _("租住的请填写租期截止日"))
        if self.subtype == ChangeSubtype.NAME_OR_HUKOU and not (data.get("real_name", "").strip() or data.get("hukou")):
            self.add_error("real_name", _("请填写新姓名或选择新的户籍类型"))
        return data

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.kind in WITH_CHILDREN:
            return {"children": [
                {"name": data[f"child_{i}_name"].strip(), "case": data[f"child_{i}_case"]}
                for i in range(MAX_CHILDREN) if data[f"child_{i}_name"].strip() and data[f"child_{i}_case"]
            ]}
        if self.subtype == ChangeSubtype.ADDRESS:
            lease_end = data["lease_end"] if data["housing_kind"] in RENTED_HOUSING else None
            return {"housing": {"kind": data["housing_kind"], "lease_end": lease_end.isoformat() if lease_end else None}}
        if self.subtype == ChangeSubtype.NAME_OR_HUKOU:
            return {key: value for key in ("real_name", "hukou") if (value := data[key].strip())}
        if self.subtype == ChangeSubtype.EDUCATION:
            return {"degree": data["degree"]}
        return {}

    def rows(self) -> list[dict[str, Any]]:
        """The fields as `public/_field.html` draws them."""
        return [
            {"field": self[name], "name": name, "kind": "text", "suffix": "", "anchor": f"id_{name}",
             "errors": [str(message) for message in self.errors.get(name, [])]}
            for name in self.fields
        ]


def _new_case_choice(request: HttpRequest) -> tuple[Service, ChangeSubtype | None] | None:
    source = request.POST if request.method == "POST" else request.GET
    for kind, subtype in NEW_CASES:
        if source.get("kind") == kind and (subtype is None or source.get("subtype") == subtype):
            return kind, subtype
    return None


@role_required(Role.APPLICANT)
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """A new case of a personal kind with the unit the applicant is associated with: pick the kind, then give what
    the case carries itself (children's names, the new address, …)."""
    lang = current_lang()
    association = _active_association(request.user)
    choice = _new_case_choice(request)
    if association is None or choice is None:
        kinds = [
            {"kind": kind, "subtype": subtype or "", "title": label(subtype or kind, lang),
             "group": label(kind, lang) if subtype else "", "summary": pick(SERVICE_SUMMARIES[kind], lang)}
            for kind, subtype in NEW_CASES
        ]
        return render(request, "portal/applicant/case_new.html", {"association": association, "kinds": kinds})
    kind, subtype = choice
    children = [child for child in profile_facts(request.user).get("children") or [] if child.get("case")]
    initial = {f"child_{i}_case": child["case"] for i, child in enumerate(children[:MAX_CHILDREN])}
    form = CaseAnswersForm(kind, subtype, lang, request.POST if request.method == "POST" else None,
                           initial=initial if kind == Service.INITIAL else {})
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open(actor=request.user, kind=kind, unit=association.unit, subtype=subtype,
                             answers=form.answers())
        except ServiceError as refused:
            messages.error(request, in_page_language(refusal_message(refused)))
        else:
            messages.success(request, _("已新建案件 %(id)s。请上传材料，然后提交给单位。") % {"id": case.public_id})
            return redirect("portal:case", public_id=case.public_id)
    context = {
        "association": association,
        "kind": kind,
        "subtype": subtype or "",
        "title": label(kind, lang) + (f"（{label(subtype, lang)}）" if subtype else ""),
        "summary": pick(SERVICE_SUMMARIES[kind], lang),
        "rows": form.rows(),
        "with_children": kind in WITH_CHILDREN,
        "summary_errors": [row for row in form.rows() if row["errors"]],
    }
    return render(request, "portal/applicant/case_form.html", context)


# --- actions on the shared case page ---------------------------------------------------------------------------------


@role_required(Role.APPLICANT)
@require_POST
def case_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    """Upload (or replace) one material; a refused file is shown with its reason next to that material."""
    case = _own_case(request, public_id)
    code = request.POST.get("code", "")
    upload = request.FILES.get("file")
    refusal: dict[str, str] | None = None
    if upload is None:
        refusal = {"word": _("没有选择文件"), "advice": _("请选择要上传的PDF文件。")}
    else:
        try:
            material = material_upload(case=case, code=code, actor=request.user, data=upload.read(MAX_BYTES + 1),
                                       original_name=upload.name or "")
        except FileRefused as refused:
            word, advice = REFUSALS.get(refused.reason, REFUSALS["damaged"])
            refusal = {"word": str(word), "advice": str(advice)}
        except ServiceError as refused:
            messages.error(request, in_page_language(refusal_message(refused)))
            return redirect(_case_url(case))
        else:
            title = MATERIALS[code].title_en if current_lang() == "en" else MATERIALS[code].title_zh
            messages.success(request, _("已上传：%(title)s（%(pages)d 页）。") % {"title": title, "pages": material.file.pages})
            if material.file.removed:
                messages.info(request, _("文件中的活动内容（脚本、链接动作或附件）已被清除。"))
            return redirect(_case_url(case, f"upload-{code}"))
    context = case_context(request, case)
    context["upload_errors"] = {code: refusal}
    return render(request, "portal/case/detail.html", context)


@role_required(Role.APPLICANT)
@require_POST
def case_submit_to_unit(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _own_case(request, public_id)
    if request.POST.get("confirm") != "yes":
        return redirect(_case_url(case, "applicant-actions"))
    try:
        case_submit(case=case, actor=request.user)
    except ServiceError as refused:
        messages.error(request, in_page_language(refusal_message(refused)))
    else:
        messages.success(request, _("已提交给单位审核。单位经办人确认材料并预约办理时段后，提交到区人力社保局。"))
    return redirect(_case_url(case))


@role_required(Role.APPLICANT)
@require_POST
def case_withdraw_view(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _own_case(request, public_id)
    if request.POST.get("confirm") != "yes":
        return redirect(_case_url(case, "applicant-actions"))
    try:
        case_withdraw(case=case, actor=request.user)
    except ServiceError as refused:
        messages.error(request, in_page_language(refusal_message(refused)))
    else:
        messages.success(request, _("案件已撤回。"))
    return redirect(_case_url(case))


# --- the permit --------------------------------------------------------------------------------------------------------


@role_required(Role.APPLICANT)
def permit(request: HttpRequest) -> HttpResponse:
    """The applicant's permit (the latest not revoked, else the latest) and any earlier ones."""
    held = list(permits_visible_to(request.user).prefetch_related("children").order_by("-issued_on", "-id"))
    current = next((p for p in held if p.status != PermitStatus.REVOKED), held[0] if held else None)
    context = {
        "permit": current,
        "status": permit_status_label(current.status) if current else "",
        "children": [{"child": c, "case": child_case_label(c.case)} for c in current.children.all()] if current else [],
        "certificate": certificate_url(current.number) if current else None,
        "earlier": [{"permit": p, "status": permit_status_label(p.status)} for p in held if p is not current],
        "renewal_due": bool(current and current.status == PermitStatus.VALID
                            and current.valid_until - timezone.localdate() <= RENEWAL_WINDOW),
    }
    return render(request, "portal/applicant/permit.html", context)


urlpatterns = [
    path("me/", home, name="applicant_home"),
    path("me/profile/", profile, name="applicant_profile"),
    path("me/check/", self_check, name="applicant_check"),
    path("me/association/", association, name="applicant_association"),
    path("me/cases/", cases, name="applicant_cases"),
    path("me/cases/new/", case_new, name="applicant_case_new"),
    path("me/cases/<str:public_id>/upload/", case_upload, name="applicant_case_upload"),
    path("me/cases/<str:public_id>/submit/", case_submit_to_unit, name="applicant_case_submit"),
    path("me/cases/<str:public_id>/withdraw/", case_withdraw_view, name="applicant_case_withdraw"),
    path("me/permit/", permit, name="applicant_permit"),
]
