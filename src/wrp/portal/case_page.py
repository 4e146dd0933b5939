"""The case page every role sees (its own view of the same case): state, clock, each rule's outcome and reason,
the materials with their status, correction notices, the clerk's diff and the timeline — and the actions the
signed-in role may take, from `portal/case/_actions_<role>.html`.

The case is fetched with `case_for`, so a case the user may not see is a 404 like one that does not exist. The
buttons come from the transition table: `actions` is `allowed_actions(case, user)` (`{% if "submit" in actions %}`),
and `kind` the case's description (`kind.personal`, `kind.to_bureau`, `kind.answers`, …), so no template tests
`case.state` or `case.kind` to decide what may be done.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wrp.accounts.models import Role
from wrp.appointments.selectors import booking_of
from wrp.cases import clock
from wrp.cases.acceptance import acceptance_view, extension_view
from wrp.cases.facts import case_evaluate, frozen_assessment
from wrp.cases.kinds import kind_of
from wrp.cases.materials import case_checklist, case_material_rows
from wrp.cases.models import Case, CaseEvent, CaseState, CorrectionNotice
from wrp.cases.reveal import may_reveal, person_reveal
from wrp.cases.selectors import CaseLookup, case_changes
from wrp.cases.workflow import OPEN_STATES, allowed_actions, require
from wrp.core.errors import Forbidden, Invalid, InvalidState
from wrp.core.language import page_language
from wrp.core.prepared import Prepared
from wrp.permits.models import Permit
from wrp.permits.selectors import latest_permit_shown, permit_from_shown, permit_of
from wrp.portal.applicant import presenters as applicant
from wrp.portal.common.access import case_or_404
from wrp.portal.common.uploads import upload_refusals_take
from wrp.portal.unit import presenters as unit

# What the page shows of a case that most cases lack — correction notices — flagged with the case, and the applicant's
# permit read with it (an index probe each, in its query), so that the page asks no query of its own for them; the
# booking (one to one) and its slot are joined to it (RELATED). A case fetched without them (another view's) has them
# read as before.
RELATED = ("booking__slot",)
PRESENT = {
    "has_notices": Exists(CorrectionNotice.objects.filter(case=OuterRef("pk"))),
    "applicant_permit": latest_permit_shown(OuterRef("applicant_id")),  # permit_of(applicant), in the case's row
}
LOOKUP = CaseLookup(annotate=PRESENT, related=RELATED)  # the case page's case, its flags and joins

# A case event as the page uses it: all of it, and of its actor the name (manual checks, the bureau's case file)
EVENT_FIELDS = ("id", "case_id", "at", "action", "actor_role", "from_state", "to_state", "detail",
                "actor__username", "actor__real_name")

EVENTS = Prepared(lambda case: CaseEvent.objects.filter(case_id=case).select_related("actor").only(*EVENT_FIELDS),
                  case=int)  # the timeline, oldest first (its SQL compiled once: wrp.core.prepared)

STATE_NOTES = {Role.APPLICANT: applicant.STATE_NOTES, Role.UNIT_HANDLER: unit.STATE_NOTES}  # by role, by state


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
            problems = invalid.messages()
    checklist = list(assessment["materials"]) if assessment else case_checklist(case)
    materials = case_material_rows(case, checklist)
    permit = case.permit or applicant_permit(case)
    role = getattr(request.user, "role", "")
    events = EVENTS.rows(case=case.pk)
    return {
        "case": case,
        "kind": kind_of(case),
        "actions": allowed_actions(case, request.user),
        "separated": separated(case, request.user),
        "state_note": STATE_NOTES.get(role, {}).get(case.state, ""),
        "correcting": case.state == CaseState.RETURNED,
        "at_window": case.state in OPEN_STATES and case.state != CaseState.PENDING_APPROVAL,
        "clock": clock.view(case, today=today),
        "acceptance": acceptance_view(case, today=today), "extension": extension_view(case),  # POLICY §11
        "assessment": assessment,
        "preview": preview,
        "fact_problems": problems,
        "materials": materials,
        "notices": list(case.notices.select_related("issued_by")) if getattr(case, "has_notices", True) else [],
        "events": events,
        "sent_back": sent_back(case, events),
        "upload_errors": upload_refusals_take(request, case),
        "changes": case_changes(case),
        "permit": permit,
        "role": role,
        "actions_template": f"portal/case/_actions_{role}.html",
        "booking": getattr(case, "booking", None) if Case.booking.is_cached(case) else booking_of(case),  # RELATED
        "may_reveal": may_reveal(request.user),
    }


def applicant_permit(case: Case) -> Permit | None:
    """`permit_of` the case's applicant: read with the case by LOOKUP (PRESENT), else asked now."""
    if not case.applicant_id:
        return None
    if hasattr(case, "applicant_permit"):
        return permit_from_shown(case.applicant_permit)
    return permit_of(case.applicant)


def sent_back(case: Case, events: list[Any]) -> dict[str, Any] | None:
    """While a case the unit sent back is a draft again: {"message", "at"} of the latest send_back (else None)."""
    if case.state != CaseState.DRAFT:
        return None
    event = next((event for event in reversed(events) if event.action == "send_back"), None)
    return {"message": event.detail.get("message", ""), "at": event.at} if event is not None else None


def separated(case: Case, user: Any) -> bool:
    """Whether the user would decide the case at the bureau but for separation of duties (they reviewed it)."""
    try:
        require(case, user, "approve")
    except Forbidden as refused:
        return refused.code == "separation_of_duties"
    except InvalidState:
        return False
    return False


@login_required
def case_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id, lookup=LOOKUP)
    return render(request, "portal/case/detail.html", case_context(request, case))


@login_required
@require_POST
def case_reveal(request: HttpRequest, public_id: str) -> HttpResponse:
    """The case page with the whole ID numbers, for the staff who ask with its "显示完整证件号码" button (a POST, so
    no link, prefetch or history replays it): each reveal an audit event (`wrp.cases.reveal.person_reveal`); 403 for
    the other roles that may see the case, 404 for those who may not."""
    case = case_or_404(request, public_id)
    try:
        revealed = person_reveal(case=case, actor=request.user)
    except Forbidden as refused:
        raise PermissionDenied(str(refused)) from None
    response = render(request, "portal/case/detail.html", {**case_context(request, case), "revealed": revealed})
    response["Cache-Control"] = "no-store, private"
    return response
