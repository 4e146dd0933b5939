"""The appointment slip (预约单): what the applicant and the unit's handler take to the service window for a case the
unit submitted with a booking — the day with its weekday and the hours of the slot, the hall's address, office hours
and phone, the case number and item, and the originals of the materials on the case's checklist, in words. A page
made to be printed (site.css hides the frame in print).

The case comes from the case selector (`case_or_404`): whoever may not see the case gets the 404 of a case that does
not exist; a case without a booking has no slip (404 as well).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from wrp.appointments.selectors import booking_of
from wrp.cases.materials import case_checklist
from wrp.core.language import page_language
from wrp.policy.materials import MATERIALS
from wrp.policy.office import OFFICE
from wrp.portal.common.access import case_or_404
from wrp.public.questions import pick


def slip_materials(codes: list[str], lang: str) -> list[str]:
    """The checklist's materials by their titles, in the checklist's order."""
    return [pick((MATERIALS[code].title_zh, MATERIALS[code].title_en), lang) if code in MATERIALS else code
            for code in codes]


@login_required
@require_GET
def appointment_slip(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    booking = booking_of(case)
    if booking is None:
        raise Http404("no appointment")
    lang = page_language()
    return render(request, "portal/applicant/appointment_slip.html", {
        "case": case,
        "slot": booking.slot,
        "past": booking.slot.end <= timezone.now(),
        "materials": slip_materials(case_checklist(case), lang),
        "hall": {"institution": pick(OFFICE.institution, lang), "address": pick(OFFICE.address, lang),
                 "hours": pick(OFFICE.hours, lang), "phone": OFFICE.phone},
    })
