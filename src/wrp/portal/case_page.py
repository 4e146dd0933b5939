"""The case page every role sees (its own view of the same case): state, clock, each rule's outcome and reason,
the materials with their status, correction notices, the clerk's diff and the timeline — and the actions the
signed-in role may take, from `portal/case/_actions_<role>.html`.

The case is fetched with `case_for`, so a case the user may not see is a 404 like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from wrp.cases import clock
from wrp.cases.facts import case_evaluate, frozen_assessment
from wrp.cases.materials import case_checklist
from wrp.cases.models import Case, CaseMaterial
from wrp.cases.selectors import case_changes, case_for
from wrp.core.errors import Invalid, NotFound
from wrp.permits.selectors import permit_of


def page_language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Everything the case page shows, in a bounded number of queries whatever the number of cases."""
    lang = page_language()
    today = timezone.localdate()
    assessment = (case.assessment or {}).get(lang)
    problems: dict[str, str] = {}
    preview = False
    if assessment is None:
        try:
            _facts, evaluation = case_evaluate(case, as_of=today)
            assessment, preview = frozen_assessment(evaluation)[lang], True
        except Invalid as invalid:
            problems = invalid.fields
    checklist = list(assessment["materials"]) if assessment else case_checklist(case)
    rows = {m.code: m for m in CaseMaterial.objects.filter(case=case).select_related("file")}
    materials = [
        {
            "code": code,
            "required": code in checklist,
            "status": rows[code].status if code in rows else "missing",
            "reason": rows[code].reason if code in rows else "",
            "file": rows[code].file if code in rows and rows[code].file_id else None,
        }
        for code in dict.fromkeys([*checklist, *(code for code, row in rows.items() if row.file_id)])
    ]
    permit = case.permit or (permit_of(case.applicant) if case.applicant_id else None)
    role = getattr(request.user, "role", "")
    return {
        "case": case,
        "clock": clock.view(case, today=today),
        "assessment": assessment,
        "preview": preview,
        "fact_problems": problems,
        "materials": materials,
        "notices": list(case.notices.select_related("issued_by")),
        "events": list(case.events.select_related("actor")),
        "changes": case_changes(case),
        "permit": permit,
        "role": role,
        "actions_template": f"portal/case/_actions_{role}.html",
        "booking": getattr(case, "booking", None),
    }


@login_required
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        case = case_for(request.user, public_id)
    except NotFound:
        from django.http import Http404

        raise Http404("case") from None
    return render(request, "portal/case/detail.html", case_context(request, case))
