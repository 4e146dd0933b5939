"""The bureau's approval queue at scale (issue 14): at most six queries a page, the frame's included, the same at 1
and 30 rows (the units' penalties in one query), keyset pages showing every pending case once in due-date order,
the filters and the chosen order kept from page to page. The quota page's ledger table likewise: 50 units a page by
name, searchable, the year's totals over every unit, six queries at 1 and 60 units."""

from __future__ import annotations

import itertools
import re

import pytest
from django.utils import timezone

from tests.portal.list_queries import MAX_QUERIES, listed_cases, next_link, queries_of, walk
from wrp.cases.models import CaseState
from wrp.portal.common.presenters import PAGE_SIZE
from wrp.units.models import Penalty, PenaltyKind

QUEUE = "/bureau/"


@pytest.fixture
def approver_client(client, people):
    client.force_login(people.approver)
    return client


def pending(n: int, people, today, **fields):
    cases = listed_cases(n, state=CaseState.PENDING_APPROVAL, today=today, accepted_at=timezone.now(),
                         forwarded_by=people.clerk, reviewed_by=people.clerk, review_reasons={"A-TENURE": "已核实"},
                         **fields)
    for case in cases[::2]:
        Penalty.objects.create(unit=case.unit, kind=PenaltyKind.QUOTA_FROZEN, reason="逾期解除",
                               decided_by=people.approver, decided_at=timezone.now())
    return cases


@pytest.mark.parametrize("query", ["", "?sort=submitted", "?kind=initial"])
def test_the_queue_runs_at_most_six_queries_the_same_at_1_and_30_rows(people, approver_client, today, query):
    pending(1, people, today)
    approver_client.get(QUEUE + query)
    one, response = queries_of(approver_client, QUEUE + query)
    assert len(response.context["rows"]) == 1
    pending(29, people, today)
    thirty, response = queries_of(approver_client, QUEUE + query)
    html = response.content.decode()
    assert len(response.context["rows"]) == PAGE_SIZE
    assert "单位处罚：冻结指标" in html
    assert "clerk 上报" in html
    assert "1 项需人工审核" in html
    assert one == thirty <= MAX_QUERIES
    deep, _response = queries_of(approver_client, QUEUE + next_link(html))
    assert deep <= MAX_QUERIES
    print(f"{QUEUE}{query}: 1 row {one}, 30 rows {thirty}, next page {deep} queries")


@pytest.mark.parametrize("sort", ["due", "submitted"])
def test_the_pages_show_every_pending_case_once_in_order(people, approver_client, today, sort):
    cases = pending(45, people, today)
    listed_cases(3, state=CaseState.IN_REVIEW, today=today)
    seen, pages = walk(approver_client, f"{QUEUE}?sort={sort}")
    assert len(pages) == 3
    key = (lambda case: (case.due_on, case.accepted_on, case.pk)) if sort == "due" else (
        lambda case: (case.accepted_on, case.pk))
    assert seen == [case.public_id for case in sorted(cases, key=key)]


def test_the_filters_go_with_every_page(people, approver_client, today):
    renewals = pending(25, people, today, kind="renewal")
    pending(10, people, today)
    first = approver_client.get(QUEUE, {"kind": "renewal"}).content.decode()
    assert "共 25 个案件待审批" in first
    assert "kind=renewal" in next_link(first)
    seen, _pages = walk(approver_client, QUEUE + "?kind=renewal")
    assert sorted(seen) == sorted(case.public_id for case in renewals)


def oversight(people, n: int, today) -> None:
    """`n` of everything the bureau's other lists show: quota requests and ledgers, late releases, penalties active
    and lifted, random audits, ratings followed up (open and closed)."""
    from tests.factories import make_association, make_ledger, make_open_unit, make_user
    from wrp.accounts.models import Role
    from wrp.cases.models import CaseRating, RatingFollowUp
    from wrp.quotas.models import QuotaRequest, QuotaRequestState
    from wrp.units.models import AssociationState, Audit

    now = timezone.now()
    for index in range(n):
        unit = make_open_unit()
        QuotaRequest.objects.create(unit=unit, year=today.year, requested=3, reason="扩大招聘",
                                    state=QuotaRequestState.PENDING, requested_by=people.handler, requested_at=now)
        make_ledger(unit, today.year, granted=5, reserved=1)
        make_association(make_user(Role.APPLICANT), unit, state=AssociationState.RELEASED, late=True,
                         released_at=now, left_on=today)
        lifted = index % 2 == 1
        Penalty.objects.create(unit=unit, kind=PenaltyKind.QUOTA_FROZEN, reason="逾期解除", active=not lifted,
                               decided_by=people.approver, decided_at=now,
                               lifted_by=people.approver if lifted else None, lifted_at=now if lifted else None)
        Audit.objects.create(unit=unit, by=people.approver, at=now, findings="实地核查", employment_confirmed=True)
        case = listed_cases(1, state=CaseState.APPROVED, unit=unit, today=today)[0]
        rating = CaseRating.objects.create(case=case, party="applicant", level="very_dissatisfied", comment="慢",
                                           rated_by=case.applicant, rated_at=now)
        RatingFollowUp.objects.create(rating=rating, opened_at=now, closed_at=now if lifted else None,
                                      closed_by=people.approver if lifted else None)


@pytest.mark.parametrize("url", ["/bureau/quotas/", "/bureau/quotas/?state=all", "/bureau/late-releases/",
                                 "/bureau/penalties/", "/bureau/audits/", "/bureau/ratings/"])
def test_the_other_bureau_lists_run_at_most_six_queries_the_same_at_2_and_30_rows(people, approver_client, today,
                                                                                   url):
    oversight(people, 2, today)
    approver_client.get(url)
    two, _response = queries_of(approver_client, url)
    oversight(people, 28, today)
    thirty, _response = queries_of(approver_client, url)
    assert two == thirty <= MAX_QUERIES
    print(f"{url}: 2 rows {two}, 30 rows {thirty} queries")


def test_the_call_backs_page_through_once_each_with_the_longest_waiting_on_every_page(people, approver_client, today):
    from wrp.cases.models import RatingFollowUp

    oversight(people, 50, today)  # 25 open and 25 called back, all at the same moment: the ties go by id
    called_back = list(RatingFollowUp.objects.filter(closed_at__isnull=False).order_by("-closed_at", "-id")
                       .values_list("pk", flat=True))
    still_open = list(RatingFollowUp.objects.filter(closed_at__isnull=True).order_by("opened_at", "id")
                      .values_list("pk", flat=True))
    seen: list[int] = []
    url, pages = "/bureau/ratings/", 0
    while url and pages < 5:
        response = approver_client.get(url)
        pages += 1
        assert [row["follow_up"].pk for row in response.context["open_rows"]] == still_open
        seen += [row["follow_up"].pk for row in response.context["closed_rows"]]
        following = next_link(response.content.decode())
        url = "/bureau/ratings/" + following if following else ""
    assert pages == 2
    assert seen == called_back


# --- the quota ledger table: a page of units at a time, searchable, with the year's totals ---------------------------

QUOTAS = "/bureau/quotas/"
_ledger_serial = itertools.count(1)


def ledgers(n: int, year: int, *, name: str = "北京台账测试有限公司", granted: int = 7) -> list:
    """`n` units with a ledger for `year` (granted 7, reserved 2, used 1 unless given), named `name` + a serial; the
    units in name order."""
    from tests.factories import make_ledger, make_open_unit

    units = []
    for _index in range(n):
        unit = make_open_unit(name=f"{name}{next(_ledger_serial):04d}")
        make_ledger(unit, year, granted=granted, reserved=2, used=1)
        units.append(unit)
    return sorted(units, key=lambda unit: (unit.name, unit.pk))


def ledger_codes(html: str) -> list[str]:
    """The credit codes of the units the page's ledger table lists, in order."""
    section = html[html.index('id="ledger-heading"'):]
    body = section[section.index("<tbody>"):section.index("</tbody>")] if "<tbody>" in section else ""
    return re.findall(r'<span class="mono">([0-9A-Z]{18})</span>', body)


def walk_ledgers(client, url: str) -> tuple[list[str], list[str]]:
    seen: list[str] = []
    pages: list[str] = []
    while url and len(pages) < 20:
        pages.append(url)
        html = client.get(url).content.decode()
        seen += ledger_codes(html)
        following = next_link(html)
        url = QUOTAS + following if following else ""
    return seen, pages


@pytest.mark.parametrize("query", ["", "?state=all", "?unit=台账"])
def test_the_quota_page_runs_at_most_six_queries_the_same_at_1_and_60_ledgers(people, approver_client, today, query):
    from wrp.quotas.models import QuotaRequest, QuotaRequestState

    def ask(unit) -> None:
        QuotaRequest.objects.create(unit=unit, year=today.year, requested=3, reason="扩大招聘",
                                    state=QuotaRequestState.PENDING, requested_by=people.handler,
                                    requested_at=timezone.now())

    ask(ledgers(1, today.year)[0])
    approver_client.get(QUOTAS + query)
    one, response = queries_of(approver_client, QUOTAS + query)
    assert len(response.context["ledgers"]) == 1
    for unit in ledgers(59, today.year):
        ask(unit)
    sixty, response = queries_of(approver_client, QUOTAS + query)
    html = response.content.decode()
    assert len(response.context["ledgers"]) == 50
    assert "共 60 个单位" in html
    assert one == sixty <= MAX_QUERIES
    deep, response = queries_of(approver_client, QUOTAS + next_link(html))
    assert len(response.context["ledgers"]) == 10
    assert deep <= MAX_QUERIES
    print(f"{QUOTAS}{query}: 1 ledger {one}, 60 ledgers {sixty}, next page {deep} queries")


def test_the_ledger_pages_show_every_unit_of_the_year_once_by_name(people, approver_client, today):
    wanted = ledgers(120, today.year)
    ledgers(5, today.year - 1)  # last year's: not in this year's table
    seen, pages = walk_ledgers(approver_client, QUOTAS)
    assert len(pages) == 3
    assert seen == [unit.credit_code for unit in wanted]
    last_year, _pages = walk_ledgers(approver_client, f"{QUOTAS}?year={today.year - 1}")
    assert len(last_year) == 5


def test_the_search_and_the_year_go_with_every_page(people, approver_client, today):
    from wrp.quotas.models import QuotaLedger

    wanted = ledgers(70, today.year, name="北京查找目标有限公司")
    ledgers(30, today.year)
    ledgers(10, today.year - 1, name="北京查找目标有限公司")
    first = approver_client.get(QUOTAS, {"year": today.year, "unit": "查找目标"}).content.decode()
    assert "共 70 个单位" in first
    following = next_link(first)
    assert "unit=" in following
    assert f"year={today.year}" in following
    seen, pages = walk_ledgers(approver_client, f"{QUOTAS}?year={today.year}&unit=查找目标")
    assert len(pages) == 2
    assert seen == [unit.credit_code for unit in wanted]
    by_code = approver_client.get(QUOTAS, {"unit": wanted[3].credit_code[-8:].lower()}).content.decode()
    assert ledger_codes(by_code) == [wanted[3].credit_code]
    # the year's totals are every ledger's of the year, whatever page and search
    every = QuotaLedger.objects.filter(year=today.year)
    granted = sum(every.values_list("granted", flat=True))
    assert (granted, every.count()) == (700, 100)
    totals = approver_client.get(QUOTAS, {"unit": "查找目标"}).context["totals"]
    assert totals == {"granted": 700, "reserved": 200, "used": 100, "left": 400, "units": 100}
    nothing = approver_client.get(QUOTAS, {"unit": "没有这个单位"}).content.decode()
    assert "年度没有符合查找条件的单位台账" in nothing


def test_a_year_without_ledgers_has_zero_totals_and_still_its_requests(people, approver_client, today):
    from wrp.quotas.models import QuotaRequest, QuotaRequestState

    ledgers(3, today.year)
    QuotaRequest.objects.create(unit=people.unit, year=today.year + 1, requested=3, reason="明年扩招",
                                state=QuotaRequestState.PENDING, requested_by=people.handler, requested_at=timezone.now())
    url = f"{QUOTAS}?year={today.year + 1}"
    approver_client.get(url)
    count, response = queries_of(approver_client, url)
    assert count <= MAX_QUERIES
    assert response.context["totals"] == {"granted": 0, "reserved": 0, "used": 0, "left": 0, "units": 0}
    assert response.context["pending_count"] == 1
    html = response.content.decode()
    assert "年度还没有单位获得指标" in html
    assert "明年扩招" in html
