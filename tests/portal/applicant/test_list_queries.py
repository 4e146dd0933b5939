"""The applicant's case list (issue 14): at most six queries, the frame's included, the same at 1 and 30 cases;
`?page=` pages (an applicant's list is short) with the count capped."""

from __future__ import annotations

import re

import pytest

from tests.portal.list_queries import MAX_QUERIES, listed_cases, queries_of
from wrp.cases.models import CaseState
from wrp.portal.common import presenters

CASES = "/me/cases/"


@pytest.fixture
def applicant_client(client, people):
    client.force_login(people.applicant)
    return client


def test_the_list_runs_at_most_six_queries_the_same_at_1_and_30_cases(people, applicant_client, today):
    listed_cases(1, state=CaseState.APPROVED, applicant=people.applicant, today=today)
    applicant_client.get(CASES)
    one, response = queries_of(applicant_client, CASES)
    listed_cases(29, state=CaseState.APPROVED, applicant=people.applicant, today=today)
    listed_cases(5, today=today)
    thirty, response = queries_of(applicant_client, CASES)
    assert len(response.context["rows"]) == presenters.PAGE_SIZE
    assert one == thirty <= MAX_QUERIES
    second, response = queries_of(applicant_client, CASES + "?page=2")
    assert len(response.context["rows"]) == 10
    assert second <= MAX_QUERIES
    print(f"{CASES}: 1 case {one}, 30 cases {thirty}, page 2 {second} queries")


def test_pages_show_every_case_once(people, applicant_client, today):
    cases = listed_cases(45, state=CaseState.REJECTED, applicant=people.applicant, today=today)
    seen = []
    for page in (1, 2, 3):
        seen += re.findall(r'href="/cases/(C[0-9A-Z]+)/"', applicant_client.get(CASES, {"page": page}).content.decode())
    assert seen == [case.public_id for case in reversed(cases)]


def test_the_count_is_capped(people, applicant_client, today, monkeypatch):
    monkeypatch.setattr(presenters, "COUNT_CAP", 25)
    listed_cases(30, state=CaseState.WITHDRAWN, applicant=people.applicant, today=today)
    response = applicant_client.get(CASES)
    assert response.context["page_obj"].paginator.count == 25
    assert response.context["page_obj"].paginator.more
