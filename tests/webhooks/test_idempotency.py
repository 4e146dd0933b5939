"""`Idempotency-Key` on the API's creating writes: the same key, caller and body replay the first answer (nothing is
created twice); the same key with another body is 422; keys last 24 hours; two simultaneous requests with one key
create one thing (PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from tests.api.conftest import UNIT_BODY, Caller
from tests.factories import make_credit_code
from tests.race import run_concurrently
from tests.webhooks.conftest import json_of
from wrp.accounts.services import token_create
from wrp.units.models import Unit
from wrp.webhooks.models import IdempotencyKey


def post(caller: Caller, path: str, body: dict, key: str):
    return caller.client.post(
        "/api/v1" + path, body, content_type="application/json", headers={**caller.headers, "Idempotency-Key": key}
    )


def test_a_retry_with_the_same_key_replays_the_first_answer_and_creates_nothing(api, people):
    body = {"credit_code": make_credit_code(), **UNIT_BODY}
    first = post(api.handler, "/units", body, "hr-unit-0001")
    again = post(api.handler, "/units", body, "hr-unit-0001")
    assert first.status_code == again.status_code == 201
    assert json_of(again) == json_of(first)
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Unit.objects.filter(credit_code=body["credit_code"]).count() == 1


def test_the_same_key_with_another_body_is_refused(api, people):
    post(api.handler, "/units", {"credit_code": make_credit_code(), **UNIT_BODY}, "k-1")
    other = post(api.handler, "/units", {"credit_code": make_credit_code(), **UNIT_BODY}, "k-1")
    assert other.status_code == 422
    body = json_of(other)
    assert body["error"] == "invalid_request"
    assert body["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in body["fields"]
    assert Unit.objects.count() == 3  # the personas' two and the first


def test_keys_belong_to_their_caller_and_last_a_day(api, people, frozen_clock):
    body = {"credit_code": make_credit_code(), **UNIT_BODY}
    assert post(api.handler, "/units", body, "shared").status_code == 201
    other = {"credit_code": make_credit_code(), **UNIT_BODY}
    assert post(api.other_handler, "/units", other, "shared").status_code == 201  # another caller's key
    later = {"credit_code": make_credit_code(), **UNIT_BODY}
    assert post(api.handler, "/units", later, "shared").status_code == 422  # still kept
    frozen_clock.shift(timedelta(hours=24, minutes=1))
    assert post(api.handler, "/units", later, "shared").status_code == 201  # expired: a new request
    same_user = Caller(token_create(user=people.handler))  # another token of the same person: the same caller
    assert post(same_user, "/units", later, "shared")["Idempotent-Replayed"] == "true"


def test_a_refusal_is_not_kept_and_a_bad_key_is_refused(api, people):
    body = {"credit_code": people.unit.credit_code, **UNIT_BODY}  # a duplicate credit code: 422
    assert post(api.handler, "/units", body, "dup").status_code == 422
    assert not IdempotencyKey.objects.filter(key="dup").exists()  # freed: a corrected retry runs
    corrected = {**body, "credit_code": make_credit_code()}
    assert post(api.handler, "/units", corrected, "dup").status_code == 201
    assert post(api.handler, "/units", body, "x" * 201).status_code == 422
    assert post(api.anonymous, "/units", body, "anon").status_code == 401
    assert not IdempotencyKey.objects.filter(key="anon").exists()


def test_case_and_association_creation_take_the_key_too(api, people):
    body = {"kind": "initial", "unit": people.unit.credit_code, "applicant": people.applicant.username}
    from tests.factories import make_association
    from wrp.units.models import AssociationState

    make_association(people.applicant, people.unit, AssociationState.ACTIVE)
    first = post(api.handler, "/cases", body, "case-1")
    assert first.status_code == 201, first.content
    assert json_of(post(api.handler, "/cases", body, "case-1"))["id"] == json_of(first)["id"]
    from wrp.cases.models import Case

    assert Case.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_one_key_create_one_unit(people):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL concurrency (SQLite serialises every writer)")
    token = token_create(user=people.handler)
    body = {"credit_code": make_credit_code(), **UNIT_BODY}
    results = run_concurrently(lambda: post(Caller(token), "/units", body, "race-1"), 6, timeout=60)
    statuses = sorted(result.status_code for result in results)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    bodies = {result.content for result in results if result.status_code == 201}
    assert len(bodies) == 1  # the winner's answer, replayed to any that came after it
    assert Unit.objects.filter(credit_code=body["credit_code"]).count() == 1
    assert all(
        json_of(r) == {"error": "invalid_state", "state": "in_progress", "code": "idempotency_key_in_use"}
        for r in results
        if r.status_code == 409
    )
