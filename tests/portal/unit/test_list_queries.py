"""The unit handler's case list and employees at scale (issue 14): at most six queries a page, the frame's included,
the same at 1 and 30 rows (employees: 1 and 60); the case list pages by keyset in each of its orders with the filters
kept; the employees in post 50 a page newest start first, every one once, the open requests and releases capped."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_association, make_permit, make_user
from tests.portal.list_queries import MAX_QUERIES, listed_cases, next_link, queries_of, walk
from wrp.accounts.models import Role
from wrp.cases.models import CaseState
from wrp.permits.models import Permit
from wrp.portal.common.presenters import PAGE_SIZE
from wrp.portal.unit.employees import EMPLOYEES_PAGE, RELEASED_SHOWN, REQUESTS_SHOWN
from wrp.units.models import Association, AssociationState

CASES, EMPLOYEES = "/unit/cases/", "/unit/employees/"


@pytest.fixture
def handler_client(client, people):
    client.force_login(people.handler)
    return client


@pytest.mark.parametrize("query", ["", "?sort=due", "?sort=created&state=submitted"])
def test_the_case_list_runs_at_most_six_queries_the_same_at_1_and_30_rows(people, handler_client, today, query):
    listed_cases(1, unit=people.unit, today=today)
    handler_client.get(CASES + query)
    one, response = queries_of(handler_client, CASES + query)
    assert len(response.context["rows"]) == 1
    listed_cases(29, unit=people.unit, today=today)
    listed_cases(5, today=today)  # other units' cases
    thirty, response = queries_of(handler_client, CASES + query)
    assert len(response.context["rows"]) == PAGE_SIZE
    assert one == thirty <= MAX_QUERIES
    deep, _response = queries_of(handler_client, CASES + next_link(response.content.decode()))
    assert deep <= MAX_QUERIES
    print(f"{CASES}{query}: 1 row {one}, 30 rows {thirty}, next page {deep} queries")


@pytest.mark.parametrize("sort", ["-created", "created", "due"])
def test_the_case_list_pages_show_every_case_once(people, handler_client, today, sort):
    drafts = listed_cases(15, state=CaseState.DRAFT, unit=people.unit, today=today)
    filed = listed_cases(30, unit=people.unit, today=today)
    listed_cases(5, today=today)
    seen, pages = walk(handler_client, f"{CASES}?sort={sort}")
    assert len(pages) == 3
    every = drafts + filed
    expected = {
        "-created": list(reversed(every)), "created": every,
        "due": [*filed, *reversed(drafts)],  # by due date, the drafts (no clock) last, newest first
    }[sort]
    assert seen == [case.public_id for case in expected]


def test_the_case_list_keeps_its_filters_and_order_from_page_to_page(people, handler_client, today):
    wanted = listed_cases(25, state=CaseState.RETURNED, unit=people.unit, today=today)
    listed_cases(10, unit=people.unit, today=today)
    first = handler_client.get(CASES, {"state": "returned", "sort": "created"}).content.decode()
    assert "共 25 件" in first
    following = next_link(first)
    assert "state=returned" in following
    assert "sort=created" in following
    seen, _pages = walk(handler_client, CASES + "?state=returned&sort=created")
    assert seen == [case.public_id for case in wanted]


_older = itertools.count(1)


def employ(people, n: int, *, unit=None) -> list:
    """`n` employees in post at the unit (half with a permit), each started a day before the last, and as many open
    requests and released employees; the associations in post, newest start first (the page's order)."""
    unit = unit or people.unit
    started = []
    for index in range(n):
        person = make_user(Role.APPLICANT)
        decided = timezone.now() - timedelta(minutes=next(_older))
        started.append(make_association(person, unit, state=AssociationState.ACTIVE, decided_at=decided))
        if index % 2 == 0:
            make_permit(person, unit)
        make_association(make_user(Role.APPLICANT), unit, state=AssociationState.REQUESTED,
                         requested_at=timezone.now() - timedelta(minutes=index))
        make_association(make_user(Role.APPLICANT), unit, state=AssociationState.RELEASED,
                         released_at=timezone.now() - timedelta(minutes=index))
    return sorted(started, key=lambda row: (row.decided_at, row.pk), reverse=True)


def in_post(html: str) -> list[int]:
    """The associations a page lists among the employees in post, in order."""
    section = html[html.index('id="active-heading"'):html.index('id="released-heading"')]
    return [int(pk) for pk in re.findall(r'<tr id="association-(\d+)">', section)]


def walk_employees(client, url: str) -> tuple[list[int], list[str]]:
    seen: list[int] = []
    pages: list[str] = []
    while url and len(pages) < 20:
        pages.append(url)
        html = client.get(url).content.decode()
        seen += in_post(html)
        following = next_link(html)
        url = EMPLOYEES + following if following else ""
    return seen, pages


def test_the_employees_page_runs_at_most_six_queries_the_same_at_1_and_60_employees(people, handler_client):
    first = employ(people, 1)
    handler_client.get(EMPLOYEES)
    one, response = queries_of(handler_client, EMPLOYEES)
    assert (len(response.context["requested"]), len(response.context["active"]),
            len(response.context["released"])) == (1, 1, 1)
    wanted = (first + employ(people, 59))[:EMPLOYEES_PAGE]  # the first employee started most recently
    sixty, response = queries_of(handler_client, EMPLOYEES)
    context = response.context
    html = response.content.decode()
    assert (len(context["requested"]), len(context["active"]), len(context["released"])) == (
        REQUESTS_SHOWN, EMPLOYEES_PAGE, RELEASED_SHOWN)
    assert (context["more_requested"], context["more_released"]) == (True, True)
    assert [row["pk"] for row in context["active"]] == [row.pk for row in wanted]
    with_permit = set(Permit.objects.filter(unit=people.unit).values_list("holder_id", flat=True))
    assert [bool(row["permit"]) for row in context["active"]] == [row.applicant_id in with_permit for row in wanted]
    assert abs(sum(1 for row in context["active"] if row["permit"]) - EMPLOYEES_PAGE / 2) <= 1  # every other (employ)
    assert "有效期至" in html
    assert "共 60 名在职员工" in html
    assert one == sixty <= MAX_QUERIES
    deep, response = queries_of(handler_client, EMPLOYEES + next_link(html))
    assert len(response.context["active"]) == min(EMPLOYEES_PAGE, 60 - EMPLOYEES_PAGE)
    assert deep <= MAX_QUERIES
    print(f"{EMPLOYEES}: 1 employee {one}, 60 employees {sixty}, next page {deep} queries")


def test_the_employees_pages_show_everyone_in_post_once_newest_start_first(people, handler_client):
    wanted = employ(people, 120)
    employ(people, 3, unit=people.other_unit)  # another unit's employees: never listed
    seen, pages = walk_employees(handler_client, EMPLOYEES)
    assert len(pages) == -(-120 // EMPLOYEES_PAGE)
    assert seen == [row.pk for row in wanted]
    back = handler_client.get(pages[2]).content.decode()
    assert 'rel="prev"' in back
    assert 'rel="first"' in back


def test_a_handler_of_two_units_pages_through_both(people, handler_client):
    from wrp.units.models import UnitHandler

    UnitHandler.objects.create(unit=people.other_unit, user=people.handler)
    wanted = employ(people, 30) + employ(people, 30, unit=people.other_unit)
    wanted.sort(key=lambda row: (row.decided_at, row.pk), reverse=True)
    handler_client.get(EMPLOYEES)
    count, response = queries_of(handler_client, EMPLOYEES)
    assert count <= MAX_QUERIES
    assert response.context["several_units"]
    seen, pages = walk_employees(handler_client, EMPLOYEES)
    assert len(pages) == -(-60 // EMPLOYEES_PAGE)
    assert seen == [row.pk for row in wanted]


def test_the_oldest_open_requests_and_the_latest_releases_are_shown(people, handler_client):
    employ(people, 55)
    context = handler_client.get(EMPLOYEES).context
    requested = [row["requested_at"] for row in context["requested"]]
    released = [row["released_at"] for row in context["released"]]
    assert requested == sorted(requested)
    assert len(requested) == REQUESTS_SHOWN
    assert released == sorted(released, reverse=True)
    assert len(released) == RELEASED_SHOWN
    oldest = min(Association.objects.filter(unit=people.unit, state=AssociationState.REQUESTED)
                 .values_list("requested_at", flat=True))
    assert requested[0] == oldest
    html = handler_client.get(EMPLOYEES).content.decode()
    assert f"这里列出最早的 {REQUESTS_SHOWN} 份申请" in html
    assert f"这里列出最近解除关联的 {RELEASED_SHOWN} 名员工" in html


def test_a_bad_cursor_shows_the_first_page_with_words(people, handler_client):
    employ(people, 3)
    html = handler_client.get(EMPLOYEES, {"after": "forged"}).content.decode()
    assert "分页位置无效" in html
    assert len(in_post(html)) == 3
