"""What the list pages' query tests share (tests/portal/<role>/test_list_queries.py): many cases written straight to
the database in the shape the services leave them (state, clock, acceptance, frozen JSON), each with its own applicant
and unit, so a page of 30 rows has 30 distinct related rows to fetch; and the counting of a page's queries, the
frame's included (session, user, the bell's unread count, the navigation).

The bound is issue 14's: at most `MAX_QUERIES` per list page whatever its size, the same number at 1 and 30 rows.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_open_unit, make_user
from wrp.accounts.models import Role
from wrp.cases.models import Case, CaseState
from wrp.cases.services import _new_public_id

MAX_QUERIES = 6
_serial = itertools.count(1)
WIDE = {"facts": {"applicant": {f"fact_{n}": "x" * 40 for n in range(40)}}}  # the wide JSON a list never shows


def listed_cases(n: int, *, state: str = CaseState.SUBMITTED, kind: str = "initial", unit: Any = None,
                 applicant: Any = None, created_by: Any = None, today: date | None = None, **fields: Any) -> list[Case]:
    """`n` cases in `state`, each of a unit and an applicant of its own unless given, created one minute apart
    (newest last), due on successive days, with wide frozen facts and assessment as a submitted case has."""
    today = today or timezone.localdate()
    filed = state not in (CaseState.DRAFT, CaseState.AWAITING_UNIT)
    cases = []
    for index in range(n):
        serial = next(_serial)
        own_unit = unit or make_open_unit(name=f"北京列表测试有限公司{serial}")
        own_applicant = applicant if applicant is not None else (
            make_user(Role.APPLICANT, real_name=f"列{serial}", id_number_masked=f"110105********{serial % 10000:04d}")
            if kind not in ("unit_opening", "unit_transfer") else None)
        values: dict[str, Any] = {
            "public_id": _new_public_id(), "kind": kind, "unit": own_unit, "applicant": own_applicant,
            "created_by": created_by or own_applicant or make_user(Role.UNIT_HANDLER), "state": state,
            "answers": {"note": "y" * 200}, "frozen_facts": WIDE if filed else None,
            "assessment": {"zh": WIDE, "en": WIDE} if filed else None,
        }
        if filed:
            values.update(version=1, time_limit=20, accepted_on=today - timedelta(days=index % 7),
                          due_on=today + timedelta(days=index), received_at=timezone.now(),
                          acceptance_due=today + timedelta(days=5))
        if state == CaseState.RETURNED:
            values.update(paused_on=today, days_left_at_pause=10)
        values.update(fields)
        case = Case.objects.create(**values)
        Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(minutes=10_000 - serial))
        cases.append(case)
    return cases


def queries_of(client: Any, url: str, data: Any = None) -> tuple[int, Any]:
    """The number of queries a GET of the page runs, the frame's included, and the response."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data)
    assert response.status_code == 200, response.status_code
    return len(captured), response


def next_link(html: str) -> str | None:
    """The address of the page's 「下一页」 link (the keyset cursor or the page number), unescaped; None on the last."""
    found = re.search(r'<a[^>]*href="([^"]+)"[^>]*rel="next"', html) or re.search(
        r'<a[^>]*rel="next"[^>]*href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def ids_in(html: str) -> list[str]:
    """The case numbers a list page shows, in order (each once per row: the link to the case)."""
    return re.findall(r'href="/(?:clerk/)?cases/(C[0-9A-Z]+)/"', html)


def walk(client: Any, url: str) -> tuple[list[str], list[str]]:
    """Every row of a list, following 「下一页」 from `url` to the last page: the case numbers and the pages' addresses."""
    seen: list[str] = []
    pages: list[str] = []
    while url and len(pages) < 50:
        pages.append(url)
        html = client.get(url).content.decode()
        seen += ids_in(html)
        following = next_link(html)
        url = (url.split("?")[0] + following if following and following.startswith("?") else following) or ""
    return seen, pages
