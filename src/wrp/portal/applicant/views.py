"""The applicant portal (issue 5 §2): the applicant's home, their real-name profile, the self-check prefilled from it,
association with a unit, their cases and their permit. The actions on the shared case page (a new case, uploads,
submit to the unit, withdraw) are in `cases.py`.

Every page is for the applicant role alone (`role_required`); objects come from the selectors, so another person's
case is a 404 like one that does not exist. Personal data travels only in POST bodies: the profile is saved by POST
and the page then redirects to itself, and the prefilled self-check is a GET that reads the profile on the server.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from wrp.accounts.models import Role
from wrp.accounts.selectors import id_number_shown_to
from wrp.accounts.services import profile_save, user_set_id_number
from wrp.cases.facts import profile_facts
from wrp.cases.kinds import PERSONAL_KINDS
from wrp.cases.models import Case, CaseState
from wrp.cases.selectors import cases_listed
from wrp.core.errors import Invalid, InvalidState
from wrp.core.language import page_language
from wrp.core.prepared import Prepared
from wrp.employment.selectors import associations_visible_to
from wrp.employment.services import association_request
from wrp.permits.models import PermitStatus
from wrp.permits.selectors import permit_facts, permit_of, permits_visible_to
from wrp.policy.codes import ChildCase, Service
from wrp.policy.identifiers import resident_id_problem
from wrp.policy.items import ITEMS
from wrp.policy.labels import label
from wrp.portal.applicant.profile import (
    bound_answers,
    error_summary,
    posted_profile_form,
    profile_answers,
    stored_profile_form,
    stored_profile_unanswered,
)
from wrp.portal.common.access import role_required
from wrp.portal.common.presenters import case_list_rows, case_rows, paginate, permit_status_label
from wrp.portal.common.refusals import refusal_text
from wrp.public import views as check_views
from wrp.public.forms import CheckForm
from wrp.public.questions import SERVICE_SUMMARIES, pick, questionnaire
from wrp.units.models import Association, AssociationState
from wrp.units.selectors import unit_facts

PAGE_SIZE = 20
RECENT_CASES = 5
RENEWAL_WINDOW = timedelta(days=60)  # POLICY §1 续签: within the 60 days before the permit ends
# Unit facts the prefilled self-check takes from the unit the applicant is associated with: its registry data, not its
# quota, penalties or tax figures.
UNIT_REGISTRY_FACTS = ("kind", "legal_person", "registered_district", "tax_district", "tax_paid_since", "account",
                       "qualifications")  # fmt: skip
ASSOCIATION_STATES = {
    AssociationState.REQUESTED: gettext_lazy("待单位确认"),
    AssociationState.ACTIVE: gettext_lazy("已关联"),
    AssociationState.REFUSED: gettext_lazy("已拒绝"),
    AssociationState.RELEASED: gettext_lazy("已解除"),
}


def _case_url(case: Case, fragment: str = "") -> str:
    return reverse("portal:case", args=[case.public_id]) + (f"#{fragment}" if fragment else "")


def active_association(user: Any) -> Association | None:
    return associations_visible_to(user).filter(state=AssociationState.ACTIVE).first()


# The home page's lists, the same statements for every applicant: compiled once per process (wrp.core.prepared)
ASSOCIATIONS = Prepared(lambda user: associations_visible_to(get_user_model().stand_in(user, Role.APPLICANT))
                        .order_by("-requested_at", "-id"), user=int)
RECENT = Prepared(lambda user: case_list_rows(cases_listed(get_user_model().stand_in(user, Role.APPLICANT)))
                  [:RECENT_CASES], user=int)


def association_rows(user: Any) -> list[dict[str, Any]]:
    """The applicant's associations, newest first, each with its state in words."""
    return [
        {"association": association, "state_label": ASSOCIATION_STATES[AssociationState(association.state)]}
        for association in ASSOCIATIONS.rows(user=user.pk)
    ]


def certificate_url(number: str) -> str | None:
    """The permit certificate's address if that page exists (issue 6 builds it), else None."""
    url = f"/permits/{quote(number)}/certificate.pdf"
    try:
        resolve(url)
    except Resolver404:
        return None
    return url


def child_case_label(case: str) -> str:
    return label(ChildCase(case), page_language()) if case in ChildCase._value2member_map_ else case


@role_required(Role.APPLICANT)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    associations = association_rows(user)
    recent = case_rows(RECENT.rows(user=user.pk), today)
    permit = permit_of(user)
    unanswered = stored_profile_unanswered(user, today)
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
        left = ngettext("完善个人资料：还有 %(n)d 项未填写。", "完善个人资料：还有 %(n)d 项未填写。", unanswered)
        steps.append({"text": left % {"n": unanswered}, "url": reverse("portal:applicant_profile")})
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
    lang = page_language()
    today = timezone.localdate()
    typed_id, id_error, general = "", "", []
    if request.method == "POST":
        form, unanswered = posted_profile_form(user, today, lang, request.POST)
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
        return form.shown_errors(submitted=True), (pick((problem.zh, problem.en), page_language()) if problem else ""), []
    facts, replacing = profile_answers(form, request.POST)
    with transaction.atomic():
        if typed_id:
            try:
                user_set_id_number(user=user, id_number=typed_id, actor=user)
            except Invalid as invalid:
                id_error = invalid.messages().get("id_number") or refusal_text(invalid)
        try:
            profile_save(user=user, facts=facts, actor=user, replacing=replacing)
        except Invalid as invalid:
            for fact, message in invalid.messages().items():
                name = form.questionnaire.field_for(f"applicant.{fact}")
                if name is None:
                    general.append(message)
                elif name not in form.errors:
                    form.add_error(name, message)
        if id_error or form.errors or general:
            transaction.set_rollback(True)
    if id_error or form.errors or general:
        user.refresh_from_db()
        return form.shown_errors(submitted=True), id_error, general
    return None, "", []


def check_service_links(lang: str) -> list[dict[str, str]]:
    base = reverse("portal:applicant_check")
    return [{"title": label(service, lang), "url": f"{base}?service={service}"}
            for service in Service if service in PERSONAL_KINDS]


@role_required(Role.APPLICANT)
def self_check(request: HttpRequest) -> HttpResponse:
    """The public self-check, its answers prefilled from the profile, the permit and the associated unit's registry
    data. A GET (nothing personal in the address); from here on the form posts to the public /check/ as usual."""
    chosen = request.GET.get("service", "")
    if chosen not in PERSONAL_KINDS:
        return redirect(reverse("portal:applicant_check") + "?service=initial")
    service, lang, today = Service(chosen), page_language(), timezone.localdate()
    tree: dict[str, Any] = {"applicant": {**profile_facts(request.user), "permit": permit_facts(permit_of(request.user))}}
    association = active_association(request.user)
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
                error = invalid.messages().get("association_code") or refusal_text(invalid)
            except InvalidState as refused:
                error = refusal_text(refused)
            else:
                messages.success(request, _("关联申请已发送给%(unit)s，等待单位确认。") % {"unit": made.unit.name})
                return redirect("portal:applicant_association")
    context = {"associations": association_rows(request.user), "code": code, "error": error}
    return render(request, "portal/applicant/association.html", context)


@role_required(Role.APPLICANT)
def cases(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, case_list_rows(cases_listed(request.user)))
    today = timezone.localdate()
    context = {
        "page_obj": page_obj,
        "rows": case_rows(page_obj, today),
        "association": active_association(request.user),
    }
    return render(request, "portal/applicant/cases.html", context)

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

