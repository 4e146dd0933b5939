"""The queue's claims (portal/clerk/claims.py): who holds each row, 认领 / 释放 per row, 我的 / 未认领 / 全部, the
ticked rows assigned to a clerk on a page of its own (the queue stays within its query budget), and the case page's
warning when another clerk holds the case — which blocks nothing."""

from __future__ import annotations

import pytest

from tests.cases import conftest as case_fixtures
from tests.factories import case_in_state
from tests.portal.list_queries import MAX_QUERIES, listed_cases, queries_of
from wrp.cases.claims import case_claim
from wrp.cases.models import Case

people = case_fixtures.people  # the personas of tests/cases (profiles, association, quota): a real case for the page


@pytest.fixture
def clerk_client(client, people):
    client.force_login(people.clerk)
    return client


def test_a_clerk_claims_a_row_and_comes_back_to_the_filtered_queue(clerk_client, people, today):
    case = listed_cases(1, today=today)[0]
    html = clerk_client.get("/clerk/").content.decode()
    assert f'action="/clerk/cases/{case.public_id}/claim"' in html
    response = clerk_client.post(
        f"/clerk/cases/{case.public_id}/claim", {"listing": "queue", "query": "kind=initial&sort=due"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/clerk/?kind=initial&sort=due"
    case.refresh_from_db()
    assert case.claimed_by == people.clerk
    html = clerk_client.get("/clerk/").content.decode()
    assert f'action="/clerk/cases/{case.public_id}/release"' in html


def test_a_case_another_clerk_holds_shows_its_holder_and_cannot_be_claimed(clerk_client, people, second_clerk, today):
    case = listed_cases(1, today=today)[0]
    case_claim(case=case, actor=second_clerk)
    html = clerk_client.get("/clerk/").content.decode()
    assert f'action="/clerk/cases/{case.public_id}/claim"' not in html
    assert (second_clerk.real_name or second_clerk.username) in html
    response = clerk_client.post(f"/clerk/cases/{case.public_id}/claim", follow=True)
    assert "分配给" in response.content.decode()  # the refusal says how to take it over
    case.refresh_from_db()
    assert case.claimed_by == second_clerk


def test_the_queue_filters_mine_and_free(clerk_client, people, second_clerk, today):
    mine, theirs, free = listed_cases(3, today=today)
    case_claim(case=mine, actor=people.clerk)
    case_claim(case=theirs, actor=second_clerk)

    def shown(held: str) -> set[str]:
        return {row["case"].public_id for row in clerk_client.get("/clerk/", {"held": held}).context["rows"]}

    assert shown("mine") == {mine.public_id}
    assert shown("free") == {free.public_id}
    assert shown("") == {mine.public_id, theirs.public_id, free.public_id}


def test_the_queue_with_held_cases_stays_within_its_query_budget(clerk_client, people, second_clerk, today):
    cases = listed_cases(25, today=today)
    for case in cases[::2]:
        case_claim(case=case, actor=second_clerk)
    clerk_client.get("/clerk/")
    for query in ({}, {"held": "mine"}, {"held": "free"}):
        count, _response = queries_of(clerk_client, "/clerk/", query)
        assert count <= MAX_QUERIES


def test_ticked_rows_are_assigned_to_the_clerk_chosen_on_the_assign_page(clerk_client, people, second_clerk, today):
    cases = listed_cases(3, today=today)
    chosen = [case.public_id for case in cases[:2]]
    page = clerk_client.get("/clerk/assign", {"cases": chosen, "listing": "queue", "query": "held=free"})
    assert page.status_code == 200
    html = page.content.decode()
    assert all(public_id in html for public_id in chosen)
    assert cases[2].public_id not in html
    assert f'value="{second_clerk.pk}"' in html
    response = clerk_client.post(
        "/clerk/assign", {"cases": chosen, "to": second_clerk.pk, "listing": "queue", "query": "held=free"}
    )
    assert response["Location"] == "/clerk/?held=free"
    assert set(Case.objects.filter(claimed_by=second_clerk).values_list("public_id", flat=True)) == set(chosen)


def test_assigning_without_a_clerk_or_without_cases_changes_nothing(clerk_client, people, today):
    case = listed_cases(1, today=today)[0]
    assert clerk_client.post("/clerk/assign", {"cases": [case.public_id]}).status_code == 302
    assert clerk_client.get("/clerk/assign").status_code == 302
    case.refresh_from_db()
    assert case.claimed_by is None


@pytest.mark.parametrize("persona", ["handler", "approver", "applicant"])
def test_only_clerks_reach_the_claim_and_assign_addresses(client, people, persona, today):
    case = listed_cases(1, today=today)[0]
    client.force_login(getattr(people, persona))
    assert client.post(f"/clerk/cases/{case.public_id}/claim").status_code == 403
    assert client.post("/clerk/assign", {"cases": [case.public_id], "to": people.clerk.pk}).status_code == 403
    case.refresh_from_db()
    assert case.claimed_by is None


def test_the_case_page_warns_a_clerk_when_another_holds_the_case(clerk_client, people, second_clerk, today):
    case = case_in_state(people, "in_review")
    assert "clerk-held" not in clerk_client.get(f"/clerk/cases/{case.public_id}/").content.decode()
    case_claim(case=case, actor=second_clerk)
    html = clerk_client.get(f"/clerk/cases/{case.public_id}/").content.decode()
    assert "clerk-held" in html
    assert (second_clerk.real_name or second_clerk.username) in html
