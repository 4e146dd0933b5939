"""The clerk's queue and list of every case search by the applicant's name (a GET filter) and by resident ID number
(issue 13 §5): the number is posted, found through the keyed hash — never a scan of numbers — kept out of every
address and log line (post/redirect/get with the result in the session), and the results show IDs masked."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.accounts.conftest import OTHER_VALID_ID, VALID_ID
from tests.cases import conftest as case_fixtures
from tests.cases.conftest import attach_all, free_slot
from tests.factories import case_in_state, make_association
from wrp.accounts.services import user_set_id_number
from wrp.audit.models import AuditEvent
from wrp.cases import services
from wrp.cases.models import Case

people = case_fixtures.people  # the personas of tests/cases (profiles, association, quota), on the frozen day
QUEUE, CASES = "/clerk/", "/clerk/cases/"
SEARCH = "/clerk/search/id-number"
MASKED = "110105********002X"


@pytest.fixture
def two_applicants(people):
    """张三丰's and 李四's initial cases, submitted; 张三丰 holds VALID_ID (found by its keyed hash)."""
    user_set_id_number(user=people.applicant, id_number=VALID_ID, actor=people.applicant)
    mine = case_in_state(people, "submitted")
    make_association(people.other_applicant, people.unit)
    other = services.case_open(actor=people.handler, kind="initial", unit=people.unit,
                               applicant=people.other_applicant)
    attach_all(other, by=people.handler)
    other = services.case_submit(case=other, actor=people.handler, slot=free_slot())
    return mine, other


@pytest.fixture
def clerk_client(people) -> Client:
    client = Client()
    client.force_login(people.clerk)
    return client


def listed(response: Any) -> list[str]:
    return [row["case"].public_id for row in response.context["rows"]]


# --- by name (GET) --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("listing", [QUEUE, CASES])
def test_the_listings_search_by_part_of_the_applicants_name(people, two_applicants, clerk_client, today, listing):
    mine, other = two_applicants
    assert set(listed(clerk_client.get(listing))) >= {mine.public_id, other.public_id}
    response = clerk_client.get(listing, {"name": "三丰"})
    assert listed(response) == [mine.public_id]
    assert listed(clerk_client.get(listing, {"name": " 李四 "})) == [other.public_id]
    assert 'name="name"' in response.content.decode()
    assert "申请人姓名" in response.content.decode()


def test_a_name_search_combines_with_the_other_filters(people, two_applicants, clerk_client, today):
    mine, _other = two_applicants
    assert listed(clerk_client.get(QUEUE, {"name": "张三丰", "kind": "initial"})) == [mine.public_id]
    assert listed(clerk_client.get(QUEUE, {"name": "张三丰", "kind": "renewal"})) == []
    html = clerk_client.get(QUEUE, {"name": "王五"}).content.decode()
    assert "没有符合筛选条件的案件" in html


# --- by ID number (POST, keyed lookup) ------------------------------------------------------------------------------


@pytest.mark.parametrize(("listing", "url"), [("queue", QUEUE), ("cases", CASES)])
def test_an_id_number_search_posts_and_redirects_without_the_number(people, two_applicants, clerk_client, today,
                                                                    listing, url):
    mine, _other = two_applicants
    response = clerk_client.post(SEARCH, {"id_number": VALID_ID, "listing": listing})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?search=id"
    assert VALID_ID not in response["Location"]
    page = clerk_client.get(response["Location"])
    assert listed(page) == [mine.public_id]
    html = page.content.decode()
    assert MASKED in html
    assert VALID_ID not in html
    assert "申请人 张三丰 的案件" in html


def test_the_search_form_posts_and_the_listing_never_takes_the_number_from_the_address(people, two_applicants,
                                                                                       clerk_client, today):
    html = clerk_client.get(QUEUE).content.decode()
    assert f'method="post" action="{SEARCH}"' in html
    mine, other = two_applicants
    # a number typed into an address is not a search: the listing ignores it
    assert set(listed(clerk_client.get(QUEUE, {"id_number": VALID_ID}))) >= {mine.public_id, other.public_id}


def test_the_lookup_goes_through_the_keyed_hash_never_the_plain_number(people, two_applicants, clerk_client, today):
    with CaptureQueriesContext(connection) as captured:
        clerk_client.post(SEARCH, {"id_number": VALID_ID})
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "id_number_hash" in sql
    assert VALID_ID not in sql
    assert VALID_ID.lower() not in sql


def test_the_number_is_normalised_before_the_lookup(people, two_applicants, clerk_client, today):
    mine, _other = two_applicants
    response = clerk_client.post(SEARCH, {"id_number": " 110105 19491231 002x "}, follow=True)
    assert listed(response) == [mine.public_id]


def test_a_number_nobody_holds_finds_nothing_and_says_so(people, two_applicants, clerk_client, today):
    response = clerk_client.post(SEARCH, {"id_number": OTHER_VALID_ID}, follow=True)
    assert listed(response) == []
    html = response.content.decode()
    assert "没有使用该号码的申请人。" in html
    assert "360426********0071" in html
    assert OTHER_VALID_ID not in html


def test_a_malformed_number_comes_back_with_the_error_under_the_field(people, two_applicants, clerk_client, today):
    response = clerk_client.post(SEARCH, {"id_number": "1101051949", "listing": "cases"})
    assert response.status_code == 422
    assert response["Cache-Control"] == "no-store, private"
    html = response.content.decode()
    assert "公民身份号码应为18位" in html
    assert 'aria-invalid="true"' in html
    assert response.context["queue"] is False  # the list it came from
    assert not AuditEvent.objects.filter(action="person.lookup").exists()


def test_an_empty_number_is_asked_for(people, clerk_client, today):
    response = clerk_client.post(SEARCH, {"id_number": ""})
    assert response.status_code == 422
    assert "请输入申请人的 18 位居民身份证号码。" in response.content.decode()


def test_the_search_keeps_to_the_other_filters_and_pages(people, two_applicants, clerk_client, today):
    mine, _other = two_applicants
    clerk_client.post(SEARCH, {"id_number": VALID_ID})
    html = clerk_client.get(QUEUE, {"search": "id"}).content.decode()
    assert '<input type="hidden" name="search" value="id">' in html  # the filter form keeps the search
    assert listed(clerk_client.get(QUEUE, {"search": "id", "kind": "initial"})) == [mine.public_id]
    assert listed(clerk_client.get(QUEUE, {"search": "id", "kind": "renewal"})) == []
    # without ?search=id the listing is whole again
    assert len(listed(clerk_client.get(QUEUE))) == 2


def test_a_search_is_the_clerks_own(people, two_applicants, clerk_client, second_clerk, today):
    """Another clerk's session holds no search: their ?search=id shows the whole listing."""
    clerk_client.post(SEARCH, {"id_number": VALID_ID})
    other = Client()
    other.force_login(second_clerk)
    assert len(listed(other.get(QUEUE, {"search": "id"}))) == 2


def test_a_lookup_is_audited_without_the_number(people, two_applicants, clerk_client, today):
    clerk_client.post(SEARCH, {"id_number": VALID_ID})
    clerk_client.post(SEARCH, {"id_number": OTHER_VALID_ID})
    found, missed = AuditEvent.objects.filter(action="person.lookup").order_by("id")
    assert (found.object_id, found.outcome) == (str(people.applicant.pk), "ok")
    assert (missed.object_id, missed.outcome) == ("", "not_found")
    for event in (found, missed):
        assert event.actor == people.clerk
        assert VALID_ID not in json.dumps(event.changes)
        assert OTHER_VALID_ID not in json.dumps(event.changes)


def test_the_number_stays_out_of_the_logs_and_the_session_holds_it_masked(people, two_applicants, clerk_client, today,
                                                                          caplog):
    with caplog.at_level(logging.DEBUG):
        clerk_client.post(SEARCH, {"id_number": "11010519491231002"})  # malformed: a 422 the server logs
        clerk_client.post(SEARCH, {"id_number": VALID_ID}, follow=True)
    assert caplog.records  # the 422 was logged …
    assert "11010519491231002" not in caplog.text  # … without the number
    assert VALID_ID not in caplog.text
    held = clerk_client.session["clerk_id_search"]
    assert held["masked"] == MASKED
    assert VALID_ID not in json.dumps(held)


@pytest.mark.parametrize("persona", ["applicant", "handler", "approver", "admin"])
def test_other_roles_are_refused_the_search(people, two_applicants, today, persona):
    client = Client()
    client.force_login(getattr(people, persona))
    assert client.post(SEARCH, {"id_number": VALID_ID}).status_code == 403
    assert not AuditEvent.objects.filter(action="person.lookup").exists()


def test_the_search_must_be_posted(people, clerk_client, today):
    assert clerk_client.get(SEARCH, {"id_number": VALID_ID}).status_code == 405
    assert Client().post(SEARCH, {"id_number": VALID_ID}).status_code == 302  # sign in first


def test_an_applicant_found_has_only_their_own_cases_listed(people, two_applicants, clerk_client, today):
    mine, _other = two_applicants
    second = services.case_open(actor=people.handler, kind="renewal", unit=people.unit, applicant=people.applicant)
    clerk_client.post(SEARCH, {"id_number": VALID_ID, "listing": "cases"})
    assert set(listed(clerk_client.get(CASES, {"search": "id"}))) == {mine.public_id, second.public_id}
    assert Case.objects.count() == 3
