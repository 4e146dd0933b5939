"""What the bureau approver sees of the case before deciding (issue 13 §3): the case file as the window read it —
the facts frozen at submission in words, every material with its viewer and download — and the window's work on it:
who reviewed and forwarded it, the verdict on each material, the reason given for each `review` outcome, the findings
of the manual checks and the correction notices sent. The parts are the clerk's (`wrp.portal.clerk.casefile` and its
templates); built from the shared case context with no further query (`{% bureau_case_file %}` on the case page).

The materials' PDFs are served at the bureau's own address, `bureau_material_view`, through the same selector as the
clerk's (`material_file_for`: every case the approver may see).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from wrp.accounts.models import Role
from wrp.cases.models import Case, MaterialStatus
from wrp.portal.clerk.casefile import file_facts, file_manual_checks, file_materials, material_pdf
from wrp.portal.common.access import role_required


def _window_steps(events: list[Any]) -> dict[str, Any]:
    """The latest start of review and forwarding among the case's events (oldest first), with who did them."""
    steps: dict[str, Any] = {}
    for event in events:
        if event.action in ("start_review", "forward"):
            steps[event.action] = event
    return steps


def bureau_file(context: dict[str, Any], *, viewing: str | None) -> dict[str, Any]:
    """The case file and the window's verdicts, for the approver's part of the case page."""
    case: Case = context["case"]
    materials = file_materials(context, viewing=viewing, viewer="portal:bureau_material_view", page="portal:case")
    reasons = case.review_reasons or {}
    reviews = [
        {**check, "reason": reasons.get(check["rule"], "")}
        for check in (context["assessment"] or {}).get("checks", [])
        if check["outcome"] == "review"
    ]
    facts = file_facts(context)
    steps = _window_steps(context["events"])
    with_file = [material for material in materials if material["file"]]
    return {
        "facts": facts["sections"],
        "as_of": facts["as_of"],
        "materials": materials,
        "viewing": next((material for material in materials if material["viewing"]), None),
        "accepted": sum(1 for material in with_file if material["status"] == MaterialStatus.ACCEPTED),
        "rejected": [material for material in materials if material["status"] == MaterialStatus.REJECTED],
        "with_file": len(with_file),
        "reviews": reviews,
        "unexplained": [review for review in reviews if not review["reason"]],
        "manual_checks": file_manual_checks(context),
        "notices": context["notices"],
        "reviewed": steps.get("start_review"),
        "forwarded": steps.get("forward"),
    }


@role_required(Role.BUREAU_APPROVER)
@require_GET
@xframe_options_sameorigin
def bureau_material_view(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    """The material's PDF for the approver: inline for the viewer on the case page, or a download (`?download=1`)."""
    return material_pdf(request, public_id, code)
