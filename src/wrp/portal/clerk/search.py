"""The clerk's search for an applicant's cases by resident ID number (issue 13 §5), on the queue and on the list of
every case.

The number is personal data: it is posted, never put in an address (nor, then, in a server's access log), and found
through the keyed hash (`wrp.accounts.services.user_by_id_number`), never by reading numbers. The post stores what the
listing needs — the person found (or none) and the number masked — in the clerk's session and redirects to the listing
with `?search=id` (post/redirect/get: a reload or a link to page 2 repeats nothing and carries no number). Each lookup
is an audit event naming whom it found, never the number. The search by name is a plain filter of the listing (GET).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from wrp.accounts.models import Role
from wrp.accounts.services import user_by_id_number
from wrp.audit.services import audit_note
from wrp.cases.models import Case
from wrp.policy.identifiers import mask_resident_id

SESSION_KEY = "clerk_id_search"
LISTINGS = {"queue": "portal:clerk_queue", "cases": "portal:clerk_cases"}


def id_search_of(request: HttpRequest) -> dict[str, Any] | None:
    """The ID-number search the listing applies: asked by `?search=id`, held in the session; None otherwise."""
    if request.GET.get("search") != "id":
        return None
    held = request.session.get(SESSION_KEY)
    return held if isinstance(held, dict) and held.get("masked") else None


def by_id_search(cases: QuerySet[Case], search: dict[str, Any]) -> QuerySet[Case]:
    """The cases of the person the search found; none when it found nobody."""
    return cases.filter(applicant_id=search["user"]) if search.get("user") else cases.none()


def by_applicant_name(cases: QuerySet[Case], name: str) -> QuerySet[Case]:
    """The cases whose applicant's real name contains what was typed."""
    return cases.filter(applicant__real_name__icontains=name.strip()) if name.strip() else cases


def id_search_record(request: HttpRequest, number: str) -> None:
    """Look the number up by its keyed hash and keep in the session whom it found (an applicant, or nobody) and the
    number masked; an audit event names whom, never the number."""
    person = user_by_id_number(number)
    found = person if person is not None and person.role == Role.APPLICANT else None
    request.session[SESSION_KEY] = {"user": found.pk if found else None, "masked": mask_resident_id(number),
                                    "name": (found.real_name or found.username) if found else ""}
    audit_note(actor=request.user, action="person.lookup", object_type="accounts.user",
               object_id=str(found.pk) if found else "", outcome="ok" if found else "not_found",
               changes={"via": "clerk_search", "found": found is not None})
