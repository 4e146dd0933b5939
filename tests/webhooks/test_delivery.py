"""Webhooks end to end: a unit's handler registers a receiver on 127.0.0.1 through the API, the services' events are
delivered by the worker signed per Standard Webhooks (verified by the receiver with `standardwebhooks`), a receiver
that fails for a while gets every event once after the retries, the log records each try, and an endpoint that keeps
failing is disabled with a notice to the unit's handlers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.webhooks.conftest import json_of
from wrp.employment.services import association_accept, association_request
from wrp.notifications.models import Notification
from wrp.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint, Event


def register(api, unit, receiver, event_types=()) -> dict:
    response = api.handler.post(
        "/webhooks", {"unit": unit.credit_code, "url": receiver.url, "event_types": list(event_types)}
    )
    assert response.status_code == 201, response.content
    body = json_of(response)
    assert body["secret"].startswith("whsec_")
    receiver.secret = body["secret"]
    return body


def associate(people, applicant, unit, capture) -> None:
    with capture(execute=True):
        association = association_request(actor=applicant, association_code=unit.association_code)
    handler = people.handler if unit == people.unit else people.other_handler
    with capture(execute=True):
        association_accept(association=association, actor=handler)


def test_events_reach_the_receiver_signed_and_a_failing_receiver_recovers_through_retries(
    api, people, receiver, worker, frozen_clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SECONDS, settings.WEBHOOK_MAX_ATTEMPTS = 30, 8
    register(api, people.unit, receiver)
    receiver.failures_left = 5  # down for its first five requests
    associate(people, people.applicant, people.unit, django_capture_on_commit_callbacks)
    associate(people, people.other_applicant, people.other_unit, django_capture_on_commit_callbacks)  # not ours
    worker()
    assert receiver.received == []
    assert receiver.requests == 2
    delay = 30
    for _ in range(6):
        frozen_clock.shift(timedelta(seconds=delay))
        worker()
        delay *= 2
    ours = list(Event.objects.filter(unit=people.unit).order_by("seq"))
    assert [event.type for event in ours] == ["association.requested", "association.confirmed"]
    assert sorted(receiver.ids()) == sorted(f"evt_{event.pk}" for event in ours)  # each once, none of other_unit
    assert receiver.refused == 0
    message = next(m for m in receiver.received if m["type"] == "association.confirmed")
    assert message["specversion"] == "1.0"
    assert message["datacontenttype"] == "application/json"
    assert message["subject"].startswith("associations/")
    assert message["time"].endswith("Z")
    assert message["data"] == {
        "association": int(message["subject"].split("/")[1]),
        "state": "active",
        "unit": people.unit.credit_code,
        "applicant": people.applicant.username,
    }
    assert all(h.get("webhook-id", h.get("Webhook-Id")) for h in receiver.headers)
    deliveries = Delivery.objects.filter(endpoint__unit=people.unit)
    assert {d.status for d in deliveries} == {DeliveryStatus.SUCCEEDED}
    assert sum(d.attempts for d in deliveries) == 7  # five failed tries, then one success each
    assert Attempt.objects.filter(status_code=500).count() == 5
    assert Endpoint.objects.get().consecutive_failures == 0


def test_a_message_carries_ids_and_states_never_personal_data(
    api, people, receiver, worker, django_capture_on_commit_callbacks
):
    register(api, people.unit, receiver)
    associate(people, people.applicant, people.unit, django_capture_on_commit_callbacks)
    worker()
    text = repr(receiver.received)
    applicant = people.applicant
    for personal in (applicant.real_name, applicant.id_number_masked, applicant.phone):
        assert not personal or personal not in text
    assert set(receiver.received[0]["data"]) == {"association", "state", "unit", "applicant"}
    assert len(receiver.received) == 2


def test_chosen_event_types_only(api, people, receiver, worker, django_capture_on_commit_callbacks):
    register(api, people.unit, receiver, event_types=["association.confirmed"])
    associate(people, people.applicant, people.unit, django_capture_on_commit_callbacks)
    worker()
    assert [m["type"] for m in receiver.received] == ["association.confirmed"]


def test_a_rotated_secret_still_verifies_during_the_grace_period_and_the_new_one_at_once(
    api, people, receiver, worker, frozen_clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_SECRET_GRACE_HOURS = 24
    endpoint = register(api, people.unit, receiver)
    old = receiver.secret
    rotated = json_of(api.handler.post(f"/webhooks/{endpoint['id']}/rotate"))
    assert rotated["secret"] != old
    with django_capture_on_commit_callbacks(execute=True):
        association_request(actor=people.applicant, association_code=people.unit.association_code)
    worker()
    assert len(receiver.received) == 1  # verified with the old secret
    receiver.secret = rotated["secret"]
    frozen_clock.shift(timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        association_request(actor=people.other_applicant, association_code=people.unit.association_code)
    worker()
    assert len(receiver.received) == 2
    assert len(receiver.headers[-1]["webhook-signature"].split(" ")) == 1  # the old secret has expired


def test_manual_redelivery_sends_again_and_logs_the_try(
    api, people, receiver, worker, django_capture_on_commit_callbacks
):
    endpoint = register(api, people.unit, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        association_request(actor=people.applicant, association_code=people.unit.association_code)
    worker()
    (delivery,) = json_of(api.handler.get(f"/webhooks/{endpoint['id']}/deliveries"))
    assert delivery["status"] == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.handler.post(f"/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/redeliver")
    assert response.status_code == 202
    worker()
    assert receiver.ids() == [delivery["event"], delivery["event"]]  # same webhook-id: receivers deduplicate
    assert Attempt.objects.filter(delivery_id=delivery["id"]).count() == 2
    assert (
        api.other_handler.post(f"/webhooks/{endpoint['id']}/deliveries/{delivery['id']}/redeliver").status_code == 404
    )


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_handlers_are_told(
    api, people, receiver, worker, frozen_clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER, settings.WEBHOOK_RETRY_SECONDS = 3, 1
    register(api, people.unit, receiver)
    receiver.failures_left = 1000
    associate(people, people.applicant, people.unit, django_capture_on_commit_callbacks)
    for _ in range(4):
        worker()
        frozen_clock.shift(timedelta(minutes=5))
    endpoint = Endpoint.objects.get()
    assert not endpoint.enabled
    assert endpoint.disabled_reason
    assert Notification.objects.filter(recipient=people.handler, event="webhook.disabled").count() == 1
    requests = receiver.requests
    with django_capture_on_commit_callbacks(execute=True):
        association_request(actor=people.other_applicant, association_code=people.unit.association_code)
    worker()
    assert receiver.requests == requests  # nothing more is sent to a disabled endpoint


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.8/x",
        "https://user:pw@example.com/",
        "ftp://example.com/",
        "https://localhost/x",
        "https://[::1]/x",
    ],
)
def test_only_public_https_addresses_are_accepted(api, people, settings, url):
    settings.WEBHOOK_ALLOW_LOCAL = False
    response = api.handler.post("/webhooks", {"unit": people.unit.credit_code, "url": url})
    assert response.status_code == 422
    assert "url" in json_of(response)["fields"]


def test_a_unit_handler_cannot_register_for_another_unit_nor_see_its_endpoints(api, people, receiver):
    register(api, people.unit, receiver)
    response = api.other_handler.post("/webhooks", {"unit": people.unit.credit_code, "url": receiver.url})
    assert response.status_code == 422
    assert "unit" in json_of(response)["fields"]
    assert json_of(api.other_handler.get("/webhooks")) == []
    assert api.applicant.post("/webhooks", {"url": receiver.url}).status_code == 403


def test_the_hourly_job_dispatches_what_a_lost_task_left_and_prunes_old_keys(
    api, people, receiver, worker, frozen_clock
):
    from wrp.tasks.registry import JOBS
    from wrp.webhooks.models import IdempotencyKey

    register(api, people.unit, receiver)
    association_request(actor=people.applicant, association_code=people.unit.association_code)  # no commit hook ran
    assert not Delivery.objects.exists()
    IdempotencyKey.objects.create(user=people.handler, key="old", fingerprint="x")
    frozen_clock.shift(timedelta(hours=25))
    job = JOBS["webhooks.housekeeping"].func
    assert job(today=None) == {"deliveries_made": 1, "requeued": 0, "keys_pruned": 1}
    worker()
    assert receiver.received == []  # the send task was lost too (no commit hook ran in this test)
    frozen_clock.shift(timedelta(hours=2))
    assert job(today=None) == {"deliveries_made": 0, "requeued": 1, "keys_pruned": 0}
    worker()
    assert [message["type"] for message in receiver.received] == ["association.requested"]
