"""GET /api/v1/cases at any size: a fixed number of queries for 1 case or 30 (drafts included, whose materials come
from the stored rows, not from the policy), keyset pages (`?after=`) that return every case exactly once in order with
the filters applied, `page` still working, and a cursor nobody made refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.cases.conftest import attach_all
from tests.factories import case_in_state, make_association, make_permit
from wrp.api.cases import CaseFilters, case_json, list_cases
from wrp.cases.models import Case, CaseEvent, CaseMaterial, CaseState
from wrp.cases.services import case_open

pytestmark = pytest.mark.django_db

LIST_QUERIES = 6  # issue 14: at most 6 queries per list page whatever its size


def clone(source: Case, copies: int, **changes: Any) -> list[Case]:
    """`copies` copies of a case (fields, materials, events), with `changes` applied: many realistic cases fast."""
    sequence = Case.objects.count()
    made = []
    for index in range(copies):
        values = {field.attname: getattr(source, field.attname) for field in Case._meta.concrete_fields
                  if field.attname not in ("id", "public_id")}
        made.append(Case(**{**values, **changes, "public_id": f"WRPLIST{sequence + index:06d}"}))
    made = Case.objects.bulk_create(made)
    materials = list(CaseMaterial.objects.filter(case=source))
    events = list(CaseEvent.objects.filter(case=source))
    for case in made:
        CaseMaterial.objects.bulk_create(
            CaseMaterial(**{**{f.attname: getattr(m, f.attname) for f in CaseMaterial._meta.concrete_fields
                               if f.attname != "id"}, "case_id": case.pk}) for m in materials)
        CaseEvent.objects.bulk_create(
            CaseEvent(**{**{f.attname: getattr(e, f.attname) for f in CaseEvent._meta.concrete_fields
                            if f.attname != "id"}, "case_id": case.pk}) for e in events)
    return made


@pytest.fixture
def draft(people) -> Case:
    """A draft `initial` case for the other applicant, its materials on file (its checklist needs the policy)."""
    make_association(people.other_applicant, people.unit)
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.other_applicant)
    attach_all(case, by=people.handler)
    return case


@pytest.fixture
def many(people, draft) -> list[Case]:
    """30 cases of the unit: the draft, a case in review for the applicant, and copies of both in several states and
    kinds (approved with its permit, renewal drafts that show the applicant's permit, unit items), opened at a few
    instants (many at the same one, so the id breaks the ties)."""
    reviewed = case_in_state(people, "in_review")
    permit = make_permit(people.applicant, people.unit)
    made = [draft, reviewed]
    made += clone(draft, 9, applicant_id=None)
    made += clone(draft, 5, kind="renewal", applicant_id=people.applicant.pk)
    made += clone(reviewed, 5, state=CaseState.APPROVED, permit_id=permit.pk)
    made += clone(reviewed, 5, state=CaseState.SUBMITTED, kind="children_change")
    made += clone(reviewed, 4, kind="unit_transfer", applicant_id=None)
    for index, case in enumerate(made):
        if index % 3:
            Case.objects.filter(pk=case.pk).update(created_at=timezone.now() - timedelta(hours=index % 5))
    assert len(made) == 30
    return made


def newest_first(cases) -> list[str]:
    return [case.public_id for case in Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("-created_at", "-id")]


def walk(caller, **query: Any) -> list[list[str]]:
    """Every page of the list by `next`, as lists of case ids."""
    pages, after = [], None
    while True:
        response = caller.get("/cases", **query, **({"after": after} if after else {}))
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([item["id"] for item in body["items"]])
        after = body["next"]
        if after is None:
            return pages
        assert len(pages) < 50


def view_queries(user, django_assert_max_num_queries, **filters: Any) -> dict[str, Any]:
    """Call the list's view itself (no authentication, no session): the queries of the list alone."""
    request = RequestFactory().get("/api/v1/cases")
    request.auth = user
    with django_assert_max_num_queries(LIST_QUERIES):
        return list_cases(request, CaseFilters(**filters))


# --- query counts ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["clerk", "handler", "approver"])
def test_one_draft_lists_in_six_queries(people, draft, persona, django_assert_max_num_queries):
    body = view_queries(getattr(people, persona), django_assert_max_num_queries)
    assert [item["id"] for item in body["items"]] == [draft.public_id]


@pytest.mark.parametrize("persona", ["clerk", "handler", "applicant"])
def test_thirty_cases_list_in_the_same_six_queries(people, many, persona, django_assert_max_num_queries):
    body = view_queries(getattr(people, persona), django_assert_max_num_queries, limit=30)
    assert body["items"]
    assert any(item["state"] == "draft" for item in body["items"]) or persona == "applicant"


def test_deeper_pages_by_number_or_cursor_stay_within_six_queries(people, many, django_assert_max_num_queries):
    by_number = view_queries(people.clerk, django_assert_max_num_queries, page=3, limit=7)
    assert len(by_number["items"]) == 7
    by_cursor = view_queries(people.clerk, django_assert_max_num_queries, after=by_number["next"], limit=7)
    assert len(by_cursor["items"]) == 7


def test_the_whole_request_costs_the_same_for_one_case_and_thirty(people, draft, api):
    with CaptureQueriesContext(connection) as one:
        assert len(api.clerk.get("/cases").json()["items"]) == 1
    clone(draft, 29, applicant_id=None)
    with CaptureQueriesContext(connection) as thirty:
        assert len(api.clerk.get("/cases", limit=30).json()["items"]) == 30
    assert len(thirty.captured_queries) <= len(one.captured_queries)


def test_a_listed_draft_shows_its_stored_materials_without_the_policy(people, draft, api, monkeypatch):
    import wrp.cases.materials

    def no_policy(*args, **kwargs):
        raise AssertionError("the list ran the policy for a draft")

    monkeypatch.setattr(wrp.cases.materials, "case_evaluate", no_policy)
    item = api.handler.get("/cases").json()["items"][0]
    stored = list(CaseMaterial.objects.filter(case=draft).order_by("id").values_list("code", flat=True))
    assert [material["code"] for material in item["materials"]] == stored
    assert {material["status"] for material in item["materials"]} == {"uploaded"}


def test_a_listed_case_reads_as_its_own_get_apart_from_a_drafts_checklist(people, many, api):
    by_id = {item["id"]: item for item in api.clerk.get("/cases", limit=30).json()["items"]}
    for case in many:
        single = api.clerk.get(f"/cases/{case.public_id}").json()
        listed = by_id[case.public_id]
        if case.state == CaseState.DRAFT:
            listed, single = dict(listed), dict(single)
            assert {m["code"] for m in listed.pop("materials")} <= {m["code"] for m in single.pop("materials")}
        assert listed == single


@pytest.mark.parametrize("persona", ["handler", "applicant", "other_applicant"])
def test_listed_actions_and_permit_match_the_single_case(people, many, api, persona):
    caller = api[persona]
    for item in caller.get("/cases", limit=30).json()["items"]:
        single = caller.get(f"/cases/{item['id']}").json()
        assert item["allowed_actions"] == single["allowed_actions"]
        assert item["permit"] == single["permit"]


# --- keyset pages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 7, 30, 100])
def test_after_pages_return_every_case_once_in_order(people, many, api, limit):
    pages = walk(api.clerk, limit=limit)
    flat = [public_id for page in pages for public_id in page]
    assert flat == newest_first(many)
    assert all(len(page) == limit for page in pages[:-1])


@pytest.mark.parametrize("filters", [{"state": "draft"}, {"kind": "renewal"}, {"state": "approved", "kind": "initial"},
                                     {"kind": "unit_transfer"}, {"state": "withdrawn"}])
def test_after_pages_keep_the_filters(people, many, api, filters):
    flat = [public_id for page in walk(api.clerk, limit=4, **filters) for public_id in page]
    expected = [case for case in many if all(getattr(Case.objects.get(pk=case.pk), k) == v for k, v in filters.items())]
    assert flat == newest_first(expected)


def test_each_persona_pages_through_what_it_may_see(people, many, api):
    assert [p for page in walk(api.handler, limit=6) for p in page] == newest_first(many)
    mine = [case for case in many if Case.objects.get(pk=case.pk).applicant_id == people.applicant.pk]
    assert [p for page in walk(api.applicant, limit=3) for p in page] == newest_first(mine)
    assert walk(api.other_handler, limit=3) == [[]]


def test_pages_by_number_still_work_and_give_the_cursor_of_the_next(people, many, api):
    first = api.clerk.get("/cases").json()
    assert (first["count"], first["page"], first["page_size"], first["count_capped"]) == (30, 1, 20, False)
    second = api.clerk.get("/cases", page=2).json()
    assert [item["id"] for item in first["items"] + second["items"]] == newest_first(many)
    assert second["next"] is None
    by_cursor = api.clerk.get("/cases", after=first["next"]).json()
    assert [item["id"] for item in by_cursor["items"]] == [item["id"] for item in second["items"]]
    assert api.clerk.get("/cases", page=9).json()["items"] == []


def test_count_is_capped(people, many, api, settings, monkeypatch):
    import wrp.api.schemas

    monkeypatch.setattr(wrp.api.schemas, "COUNT_CAP", 10)
    body = api.clerk.get("/cases", page=3, limit=5).json()
    assert (body["count"], body["count_capped"]) == (10, True)
    assert len(body["items"]) == 5  # a page past the capped count is still read


@pytest.mark.parametrize("after", ["garbage", "eyJvIjoiMDAwMDAwMDAiLCJ2IjpbXX0.c2lnbmF0dXJl", "x" * 1001, "a\x00b"])
def test_a_bad_cursor_is_422_naming_after(people, many, api, after):
    response = api.clerk.get("/cases", after=after)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "after" in response.json()["fields"]


def test_a_tampered_cursor_is_422(people, many, api):
    cursor = api.clerk.get("/cases", limit=3).json()["next"]
    body, signature = cursor.rsplit(".", 1)
    tampered = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + signature
    assert api.clerk.get("/cases", after=tampered).status_code == 422


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_limit_outside_1_to_100_is_422(people, api, limit):
    response = api.clerk.get("/cases", limit=limit)
    assert response.status_code == 422
    assert "limit" in response.json()["fields"]


def test_single_case_still_assesses_a_draft(people, draft, api):
    request = RequestFactory().get("/")
    request.auth = people.handler
    assert case_json(draft, request)["materials"] == api.handler.get(f"/cases/{draft.public_id}").json()["materials"]
