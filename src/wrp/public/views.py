"""Public pages: the landing page and the eligibility self-check.

The landing page (`/`) is where a newcomer starts: the seven items, each with its guide page and self-check; how
applicants and unit handlers get an account; the case tracker and the verification of issued documents.

The self-check (`/check/`): pick a service (GET, not personal), answer its questions (POST only: answers are personal
and never go in the URL), see the decision, every rule with its reason and clause, the income threshold, the
materials checklist and the date a decision is due if submitted today. htmx posts the form on every change and swaps
in the partial `_check_area.html`; without JavaScript the 「检查」 button posts the same form. Each post runs the
policy, so posts are limited per client address like the assessment API (`RATE_LIMIT_PUBLIC`, wrp.core.ratelimit):
past it the page answers 429 saying when to try again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from wrp.core.clientaddr import client_address
from wrp.core.language import page_language
from wrp.core.ratelimit import limit_hit
from wrp.policy import Evaluation, InvalidRequest, evaluate
from wrp.policy.codes import UNIT_SERVICES, Decision, Outcome, Service
from wrp.policy.items import ITEMS
from wrp.policy.labels import label
from wrp.policy.materials import MATERIALS
from wrp.policy_runtime import policy_calendar, policy_wages
from wrp.public.forms import CheckForm
from wrp.public.questions import questionnaire
from wrp.public.wording import SERVICE_SUMMARIES, pick

ICONS = {Outcome.PASS: "✓", Outcome.FAIL: "✗", Outcome.REVIEW: "!", Outcome.WARN: "i"}
DECISION_ICONS = {Decision.ELIGIBLE: "✓", Decision.NEEDS_REVIEW: "!", Decision.INELIGIBLE: "✗"}
SERVICE_CODES = frozenset(str(service) for service in Service)


def home(request: HttpRequest) -> HttpResponse:
    lang = page_language()
    items = [
        {
            "code": str(service),
            "title": label(service, lang),
            "summary": pick(SERVICE_SUMMARIES[service], lang),
            "section": item.section,
            "time_limit": item.time_limit,
        }
        for service, item in ITEMS.items()
    ]
    return render(request, "public/home.html", {
        "unit_items": [row for row in items if row["code"] in UNIT_SERVICES],
        "personal_items": [row for row in items if row["code"] not in UNIT_SERVICES],
    })


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    lang = page_language()
    posted = request.method == "POST"
    if posted:
        decision = limit_hit("public:check", client_address(request), rate=settings.RATE_LIMIT_PUBLIC)
        if not decision.allowed:
            return too_many_requests(request, decision.retry_after)
    chosen = request.POST.get("service") or request.GET.get("service", "")
    service = Service(chosen) if chosen in SERVICE_CODES else None
    if service is None:
        context = {"services": _services(lang), "unknown": bool(chosen), "unchosen": "service" in request.GET}
        return render(request, "public/check_picker.html", context)

    form = CheckForm(
        questionnaire(service, timezone.localdate(), request.POST if posted else {}),
        lang,
        request.POST if posted else None,
    )
    submitted = "check" in request.POST
    evaluation = _assess(form, lang) if posted else None
    shown = form.shown_errors(submitted=submitted)
    fieldsets = form.fieldsets(shown)
    context = {
        "service": service,
        "service_title": label(service, lang),
        "item": ITEMS[service],
        "form": form,
        "service_summary": pick(SERVICE_SUMMARIES[service], lang),
        "fieldsets": fieldsets,
        "summary": _summary(fieldsets),
        "general_errors": form.general_errors,
        "submitted": submitted,
        "remaining": form.remaining(),
        "error_count": len(shown) + len(form.general_errors),
        "result": _result(evaluation, lang) if evaluation is not None else None,
        "as_of": form.questionnaire.as_of,
    }
    template = "public/_check_area.html" if request.htmx else "public/check.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429 with a page saying how long to wait (and the Retry-After header saying it to machines)."""
    response = render(request, "public/limited.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _assess(form: CheckForm, lang: str) -> Evaluation | None:
    """Evaluate the answers given so far; the policy's objections go under their fields. None unless all is well."""
    try:
        evaluation = evaluate(form.request_dict(), calendar=policy_calendar(), wages=policy_wages())
    except InvalidRequest as invalid:
        form.add_policy_errors(invalid.messages(lang))
        return None
    return None if form.errors or form.remaining() else evaluation


def _summary(fieldsets: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The error summary: each shown error with a link to its field."""
    return [
        {"anchor": row["anchor"], "label": row["field"].label, "message": row["errors"][0]}
        for fieldset in fieldsets
        for row in fieldset["rows"]
        if row["errors"]
    ]


def _services(lang: str) -> list[dict[str, Any]]:
    return [
        {
            "code": str(service),
            "title": label(service, lang),
            "section": item.section,
            "time_limit": item.time_limit,
            "summary": pick(SERVICE_SUMMARIES[service], lang),
        }
        for service, item in ITEMS.items()
    ]


def _result(evaluation: Evaluation, lang: str) -> dict[str, Any]:
    """The assessment as the result panel shows it, in the page's language."""
    english = lang == "en"
    return {
        "decision": str(evaluation.decision),
        "decision_label": label(evaluation.decision, lang),
        "decision_icon": DECISION_ICONS[evaluation.decision],
        "rules": [
            {
                "rule": result.rule,
                "outcome": str(result.outcome),
                "word": label(result.outcome, lang),
                "icon": ICONS[result.outcome],
                "message": result.en if english else result.zh,
                "clause": result.clause,
            }
            for result in evaluation.results
        ],
        "income": evaluation.income,
        "manual_checks": [pick(text, lang) for text in evaluation.manual_checks],
        "materials": [
            {
                "code": code,
                "title": pick((MATERIALS[code].title_zh, MATERIALS[code].title_en), lang),
                "contains": pick((MATERIALS[code].contains_zh, MATERIALS[code].contains_en), lang),
            }
            for code in evaluation.materials
        ],
        "due": evaluation.due,
        "time_limit": evaluation.time_limit,
        "review_chain": [label(reviewer, lang) for reviewer in evaluation.review_chain],
    }
