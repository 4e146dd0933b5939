"""The window clerk's queue and list of every case at scale (issue 14): at most six queries a page, the frame's
included, the same at 1 and 30 rows; keyset pages (`?after=`) that show every row exactly once in the queue's order
(awaiting acceptance first, paused clocks last), keep the filters, go back, drop a cursor the sort does not own, and
a total capped at 10,000."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.portal.list_queries import MAX_QUERIES, ids_in, listed_cases, next_link, queries_of, walk
from wrp.cases.models import CaseState
from wrp.portal.common import presenters

QUEUE, CASES = "/clerk/", "/clerk/cases/"


@pytest.fixture
def clerk_client(client, people):
    client.force_login(people.clerk)
    return client


def mixed_queue(n: int, today) -> dict[str, list]:
    """`n` open cases of each run: awaiting acceptance, accepted and running, returned (paused)."""
    return {
        "awaiting": listed_cases(n, state=CaseState.SUBMITTED, today=today),
        "running": listed_cases(n, state=CaseState.IN_REVIEW, accepted_at=timezone.now(), today=today),
        "paused": listed_cases(n, state=CaseState.RETURNED, accepted_at=timezone.now(), today=today),
    }


@pytest.mark.parametrize("url", [QUEUE, CASES, QUEUE + "?sort=new", CASES + "?sort=due"])
def test_a_listing_runs_at_most_six_queries_the_same_at_1_and_30_rows(people, clerk_client, today, url):
    listed_cases(1, today=today)
    clerk_client.get(url)  # the session's touch and the reference calendar: read once, then cached
    one, response = queries_of(clerk_client, url)
    assert len(response.context["rows"]) == 1
    mixed_queue(10, today)
    listed_cases(3, state=CaseState.APPROVED, today=today)
    thirty, response = queries_of(clerk_client, url)
    assert len(response.context["rows"]) == presenters.PAGE_SIZE
    assert one <= MAX_QUERIES
    assert thirty <= MAX_QUERIES
    assert one == thirty
    following = next_link(response.content.decode())
    deep, _response = queries_of(clerk_client, url.split("?")[0] + following)
    assert deep <= MAX_QUERIES
    print(f"{url}: 1 row {one}, 30 rows {thirty}, next page {deep} queries")


def test_a_listing_reads_no_wide_column_and_counts_with_a_limit(people, clerk_client, today):
    mixed_queue(3, today)
    clerk_client.get(QUEUE)
    with CaptureQueriesContext(connection) as captured:
        clerk_client.get(QUEUE)
    statements = [query["sql"] for query in captured.captured_queries]
    listing = [sql for sql in statements if 'FROM "cases_case"' in sql]
    assert listing
    for sql in listing:
        assert "frozen_facts" not in sql
        assert "assessment" not in sql
        assert '"answers"' not in sql
        assert "annual_tax" not in sql
        assert "id_number_encrypted" not in sql
    counts = [sql for sql in listing if "COUNT(" in sql]
    assert counts
    assert all("LIMIT 10001" in sql for sql in counts)


def test_the_queue_pages_show_every_open_case_once_in_the_queues_order(people, clerk_client, today):
    runs = mixed_queue(17, today)  # 51 open cases: three pages, the runs meeting inside them
    listed_cases(4, state=CaseState.APPROVED, today=today)
    seen, pages = walk(clerk_client, QUEUE)
    assert len(pages) == 3
    assert len(seen) == len(set(seen)) == 51
    ranks = {case.public_id: rank for rank, name in enumerate(("awaiting", "running", "paused"))
             for case in runs[name]}
    assert [ranks[public_id] for public_id in seen] == sorted(ranks[public_id] for public_id in seen)
    running = [public_id for public_id in seen if ranks[public_id] == 1]
    assert running == [case.public_id for case in sorted(runs["running"], key=lambda case: (case.due_on, case.pk))]


def test_all_cases_pages_show_every_case_once_newest_first(people, clerk_client, today):
    cases = listed_cases(25, state=CaseState.DRAFT, today=today) + listed_cases(20, state=CaseState.APPROVED,
                                                                             today=today)
    seen, pages = walk(clerk_client, CASES)
    assert len(pages) == 3
    assert seen == [case.public_id for case in reversed(cases)]


def test_the_filters_go_with_every_page(people, clerk_client, today):
    wanted = listed_cases(25, state=CaseState.SUBMITTED, kind="renewal", today=today)
    listed_cases(15, state=CaseState.SUBMITTED, kind="initial", today=today)
    first = clerk_client.get(QUEUE, {"kind": "renewal"}).content.decode()
    assert "共 25 件" in first
    following = next_link(first)
    assert following is not None
    assert "kind=renewal" in following
    assert "after=" in following
    seen, _pages = walk(clerk_client, QUEUE + "?kind=renewal")
    assert sorted(seen) == sorted(case.public_id for case in wanted)
    named = wanted[3].applicant.real_name
    assert ids_in(clerk_client.get(QUEUE, {"kind": "renewal", "name": named}).content.decode()) == [
        wanted[3].public_id]


def test_back_and_first_page_links(people, clerk_client, today):
    listed_cases(50, state=CaseState.DRAFT, today=today)
    first = clerk_client.get(CASES).content.decode()
    second = clerk_client.get(CASES + next_link(first)).content.decode()
    third = clerk_client.get(CASES + next_link(second)).content.decode()
    assert "上一页" in third
    assert "回到第一页" in third
    back = _link(third, "prev")
    assert ids_in(clerk_client.get(CASES + back).content.decode()) == ids_in(second)
    back_twice = _link(clerk_client.get(CASES + back).content.decode(), "prev")
    assert ids_in(clerk_client.get(CASES + back_twice).content.decode()) == ids_in(first)
    assert ids_in(clerk_client.get(CASES + _link(third, "first")).content.decode()) == ids_in(first)
    assert "上一页" not in first
    assert "回到第一页" not in first


def test_a_changed_sort_drops_the_cursor(people, clerk_client, today):
    listed_cases(30, state=CaseState.IN_REVIEW, accepted_at=timezone.now(), today=today)
    first = clerk_client.get(CASES).content.decode()
    cursor = next_link(first)
    assert 'name="after"' not in first  # the filter form (and its sort) starts again from the first page
    response = clerk_client.get(CASES + cursor + "&sort=due")  # a cursor of another order
    assert response.status_code == 200
    assert "分页位置无效" in response.content.decode()
    assert len(response.context["rows"]) == presenters.PAGE_SIZE


def test_a_forged_cursor_shows_the_first_page_with_a_message(people, clerk_client, today):
    listed_cases(3, today=today)
    for forged in ("nonsense", "a-eyJ4IjoxfQ.bad", "r-eyJ4IjoxfQ.bad"):
        response = clerk_client.get(QUEUE, {"after": forged})
        assert response.status_code == 200
        assert "分页位置无效" in response.content.decode()
        assert len(response.context["rows"]) == 3


def test_a_total_above_the_cap_says_more_than(people, clerk_client, today, monkeypatch):
    monkeypatch.setattr(presenters, "COUNT_CAP", 4)
    listed_cases(5, state=CaseState.DRAFT, today=today)
    assert "超过 4 件" in clerk_client.get(CASES).content.decode()
    listed_cases(1, today=today - timedelta(days=1))
    assert "共 1 件" in clerk_client.get(QUEUE).content.decode()


def _link(html: str, rel: str) -> str:
    import re

    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', html)
    assert found, rel
    return found.group(1).replace("&amp;", "&")


def test_all_cases_by_due_date_show_every_case_once_drafts_included(people, clerk_client, today):
    runs = mixed_queue(8, today)
    drafts = listed_cases(10, state=CaseState.DRAFT, today=today)
    seen, pages = walk(clerk_client, CASES + "?sort=due")
    assert len(pages) == 2
    assert sorted(seen) == sorted(case.public_id for case in [*drafts, *(c for run in runs.values() for c in run)])
    assert seen[:8] == [case.public_id for case in runs["awaiting"]]  # awaiting acceptance first
    # then the running clocks by due date, the cases without a clock, the paused clocks (the queue's index order)
    assert set(seen[16:26]) == {case.public_id for case in drafts}
    assert set(seen[26:]) == {case.public_id for case in runs["paused"]}
