"""The event feed, `GET /api/v1/events?after=<cursor>`: a receiver that was down catches up with every event once,
in order; each caller sees only what it may (a unit never another unit's events); the cursor follows commit order;
an event is written in the emitting transaction (a rolled-back change leaves none); a bulk emitter writes its events
in one batch."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import make_permit
from tests.webhooks.conftest import json_of
from wrp.core.events import emit, emit_many
from wrp.employment.services import (
    association_accept,
    association_refuse,
    association_release,
    association_request,
)
from wrp.permits.models import PermitStatus
from wrp.permits.sweep import permits_expire_setwise
from wrp.units.models import AssociationState
from wrp.webhooks.models import Event
from wrp.webhooks.outbox import events_sequence


def replay(caller, after=0, limit=100):
    response = caller.get("/events", {"after": after, "limit": limit})
    assert response.status_code == 200, response.content
    return json_of(response)


def test_a_receiver_down_for_an_hour_catches_up_through_replay_with_every_event_once(api, people, frozen_clock, today):
    seen = replay(api.handler)  # the receiver's last look before it went down
    assert seen["items"] == []
    assert seen["next"] == 0
    cursor = seen["next"]
    # an hour of activity while it is down: ten requests and decisions, spread over the hour
    applicants = [people.applicant, people.other_applicant]
    for step in range(10):
        frozen_clock.shift(timedelta(minutes=6))
        association = association_request(actor=applicants[step % 2], association_code=people.unit.association_code)
        decide = association_accept if step % 2 == 0 else association_refuse
        decide(association=association, actor=people.handler)
        if step % 2 == 0:
            association_release(association=association, actor=people.handler, left_on=today)
    expected = list(Event.objects.filter(unit=people.unit).values_list("pk", flat=True).order_by("pk"))
    assert len(expected) == 20  # ten requests, five acceptances, five releases
    # back up: it pages through with a small limit from its last cursor
    got, pages = [], 0
    while True:
        page = replay(api.handler, after=cursor, limit=7)
        got += [item["id"] for item in page["items"]]
        cursor, pages = page["next"], pages + 1
        if not page["more"]:
            break
    assert got == [f"evt_{pk}" for pk in expected]  # every event, once, in order
    assert pages == 3
    assert replay(api.handler, after=cursor)["items"] == []  # and nothing twice


def test_a_unit_never_sees_another_units_events_the_bureau_sees_all(api, people):
    association_request(actor=people.applicant, association_code=people.unit.association_code)
    association_request(actor=people.other_applicant, association_code=people.other_unit.association_code)
    mine = replay(api.handler)["items"]
    theirs = replay(api.other_handler)["items"]
    assert [item["data"]["unit"] for item in mine] == [people.unit.credit_code]
    assert [item["data"]["unit"] for item in theirs] == [people.other_unit.credit_code]
    assert len(replay(api.clerk)["items"]) == len(replay(api.approver)["items"]) == 2
    assert [item["data"]["applicant"] for item in replay(api.applicant)["items"]] == [people.applicant.username]
    assert replay(api.handler, after=0)["items"] == mine
    filtered = api.handler.get("/events", {"unit": people.other_unit.credit_code})
    assert json_of(filtered)["items"] == []  # asking for another unit gives nothing
    assert api.admin.get("/events").status_code == 403
    assert api.anonymous.get("/events").status_code == 401


def test_an_envelope_is_cloudevents_with_ids_and_state(api, people):
    association_request(actor=people.applicant, association_code=people.unit.association_code)
    (item,) = replay(api.handler)["items"]
    assert set(item) == {
        "specversion",
        "id",
        "source",
        "type",
        "time",
        "subject",
        "datacontenttype",
        "sequence",
        "data",
    }
    assert (item["specversion"], item["type"], item["datacontenttype"]) == (
        "1.0",
        "association.requested",
        "application/json",
    )
    assert item["source"].endswith("/api/v1/events")
    assert item["data"]["state"] == AssociationState.REQUESTED


def test_a_released_holders_permit_events_are_no_longer_the_units(api, people, today):
    association = association_request(actor=people.applicant, association_code=people.unit.association_code)
    association_accept(association=association, actor=people.handler)
    make_permit(people.applicant, people.unit)
    association_release(association=association, actor=people.handler, left_on=today)
    suspended = Event.objects.get(type="permit.suspended")
    assert suspended.unit_id is None
    assert suspended.applicant_id == people.applicant.pk
    assert "permit.suspended" not in [item["type"] for item in replay(api.handler)["items"]]
    assert "permit.suspended" in [item["type"] for item in replay(api.applicant)["items"]]


def test_the_cursor_follows_commit_order_not_insert_order(api, people):
    association_request(actor=people.applicant, association_code=people.unit.association_code)
    first = Event.objects.get()
    Event.objects.create(pk=first.pk + 100, type="association.requested", unit=people.unit, data={"n": 2})
    seen = replay(api.handler)
    assert [item["id"] for item in seen["items"]] == [f"evt_{first.pk}", f"evt_{first.pk + 100}"]
    # a transaction that took a lower id commits after the reader's look: it comes after the cursor, not lost
    Event.objects.create(pk=first.pk + 50, type="association.requested", unit=people.unit, data={"n": 3})
    later = replay(api.handler, after=seen["next"])
    assert [item["id"] for item in later["items"]] == [f"evt_{first.pk + 50}"]
    assert int(later["items"][0]["sequence"]) > int(seen["items"][-1]["sequence"])


def test_an_event_is_written_with_the_change_and_rolled_back_with_it(people):
    before = Event.objects.count()
    try:
        with transaction.atomic():
            association_request(actor=people.applicant, association_code=people.unit.association_code)
            assert Event.objects.count() == before + 1
            raise RuntimeError("the change fails after the event")
    except RuntimeError:
        pass
    assert Event.objects.count() == before
    emit("something.else", note="plain")  # an unknown event: kept for the bureau only, no data
    event = Event.objects.get(type="something.else")
    assert (event.unit_id, event.data) == (None, {})


def test_a_batch_of_events_is_one_read_and_one_insert(people, today):
    permits = [make_permit(people.applicant, people.unit) for _ in range(30)]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        emit_many("permit.expired", [{"permit_id": permit.pk} for permit in permits])
    assert len(queries.captured_queries) <= 4  # savepoint, read, insert, release
    assert Event.objects.filter(type="permit.expired").count() == 30


def test_the_permit_sweep_records_every_expiry(people, today):
    for _ in range(30):
        make_permit(people.applicant, people.unit, issued_on=today - timedelta(days=3 * 366 + 10))
    with CaptureQueriesContext(connection) as queries:
        assert permits_expire_setwise(today=today) == 30
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "webhooks_event"')]
    assert len(inserts) == 1  # the batch's events in one statement
    assert events_sequence() == 30
    assert set(Event.objects.filter(type="permit.expired").values_list("data__status", flat=True)) == {
        PermitStatus.EXPIRED
    }
    assert set(Event.objects.filter(type="permit.expired").values_list("unit_id", flat=True)) == {people.unit.pk}


def test_a_large_batch_is_one_insert_select_with_the_same_content(people, today):
    from tests.factories import make_association
    from wrp.units.models import AssociationState

    make_association(people.other_applicant, people.unit, AssociationState.RELEASED)  # released: not the unit's
    permits = [make_permit(people.applicant, people.unit) for _ in range(120)]
    released = make_permit(people.other_applicant, people.unit)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        emit_many("permit.expired", [{"permit_id": permit.pk} for permit in [*permits, released]])
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "webhooks_event"')]
    assert len(inserts) == 1
    assert "SELECT" in inserts[0]
    events = {event.subject: event for event in Event.objects.filter(type="permit.expired")}
    assert len(events) == 121
    one = events[f"permits/{permits[0].number}"]
    assert (one.unit_id, one.applicant_id) == (people.unit.pk, people.applicant.pk)
    assert one.data == {
        "permit": permits[0].number,
        "status": "valid",
        "unit": people.unit.credit_code,
        "holder": people.applicant.username,
    }
    gone = events[f"permits/{released.number}"]
    assert gone.unit_id is None
    assert gone.data["unit"] is None
