"""The sweep's expiries told set-wise (issue 14 §5): the batch event `permits.expired` writes the same notices and
deliveries as `permit.expired` told permit by permit — words, language, recipients, links, keys — in a number of
queries that does not grow with the batch, once however often it is delivered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_permit, make_unit, make_user
from wrp.accounts.models import Role
from wrp.notifications import events, services
from wrp.notifications.models import Delivery, Notification
from wrp.notifications.services import Notice, contact_preference_set, notify_many
from wrp.permits.models import Permit
from wrp.permits.services import permits_expire
from wrp.units.models import UnitHandler

pytestmark = pytest.mark.django_db

LAPSED = date(2025, 1, 1)


@pytest.fixture
def expired(people, today):
    """Expired permits (with their PermitEvents) of two units: a holder in English by e-mail, one by SMS, one who is
    also a handler of the unit, handlers of both units (one deactivated, one with e-mail), a permit of a unit
    without handlers; a current permit. Their notices are written by the test."""
    bare = make_unit()
    holders = [make_user(Role.APPLICANT, f"holder{n}") for n in range(5)]
    holders[0].real_name = "张三丰"
    holders[0].save(update_fields=["real_name"])
    contact_preference_set(user=holders[0], email="zhang@example.cn", verified=True, language="en")
    contact_preference_set(user=holders[1], mobile="13800138000", verified=True, email_on=False, sms_on=True)
    contact_preference_set(user=people.handler, email="handler@example.cn", verified=True)
    UnitHandler.objects.create(unit=people.unit, user=holders[2])
    gone = make_user(Role.UNIT_HANDLER, "gone_handler")
    UnitHandler.objects.create(unit=people.unit, user=gone)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    units = [people.unit, people.other_unit, people.unit, bare, people.other_unit]
    for holder, unit in zip(holders, units, strict=True):
        make_permit(holder, unit, issued_on=date(2022, 1, 1), valid_until=LAPSED)
    make_permit(make_user(Role.APPLICANT, "current"), people.unit)
    assert permits_expire(today=today) == 5  # outside any commit capture: nobody is told yet
    return list(Permit.objects.filter(status="expired").order_by("pk").values_list("pk", flat=True))


def written() -> set[tuple]:
    """Every notice and delivery as the reader and the sender see them."""
    notices = set(Notification.objects.values_list("recipient__username", "event", "key", "subject", "body", "link"))
    deliveries = set(
        Delivery.objects.values_list(
            "notification__recipient__username", "notification__key", "channel", "address", "status"
        )
    )
    return notices | deliveries


def test_a_batch_tells_what_the_permits_one_by_one_told(expired):
    for pk in expired:
        events.on_event("permit.expired", {"permit_id": pk})
    one_by_one = written()
    assert Notification.objects.count() == 10  # 5 holders + handlers: unit 2 (one a holder), other unit 1, bare 0
    Notification.objects.all().delete()
    events.on_event("permits.expired", {"permit_ids": expired})
    assert written() == one_by_one
    english = Notification.objects.get(recipient__username="holder0")
    assert (english.subject, english.link) == ("Work residence permit expired: 张*丰", "/me/permit/")


def test_a_batch_delivered_twice_tells_once_and_the_single_events_of_the_sweep_are_left_to_it(expired):
    events.on_event("permits.expired", {"permit_ids": expired})
    before = written()
    events.on_event("permits.expired", {"permit_ids": expired})
    for pk in expired:
        events.on_event("permit.expired", {"permit_id": pk, "batch": True})  # announced by the sweep with its batch
        events.on_event("permit.expired", {"permit_id": pk})  # and heard again alone: already told
    assert written() == before
    assert Delivery.objects.count() == 4  # holder0 by e-mail, holder1 by SMS, the handler by e-mail for two permits


def test_the_queries_of_a_batch_do_not_grow_with_it(people, today, django_capture_on_commit_callbacks):
    def sweep(count: int) -> int:
        for _n in range(count):
            make_permit(make_user(Role.APPLICANT), people.unit, issued_on=date(2022, 1, 1), valid_until=LAPSED)
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            assert permits_expire(today=today) == count
        return len(queries.captured_queries)

    small, large = sweep(2), sweep(12)
    assert large == small
    assert Notification.objects.filter(event="permit.expired").count() == 14 * 2  # the holder and the handler


def test_a_notice_written_meanwhile_falls_back_to_one_by_one(people, monkeypatch):
    """A concurrent notify of the same key gets in between the check and the bulk insert: the unique constraint
    refuses the insert, and each notice is told by `notify`, which skips the one written."""
    Notification.objects.create(recipient=people.applicant, event="test.event", key="k1", subject="s", body="b")
    monkeypatch.setattr(Notification.objects, "filter", _blind(Notification.objects.filter))
    made = notify_many(
        event="test.event",
        notices=[
            Notice([people.applicant, people.handler], {}, "k1"),
            Notice([people.applicant], {}, "k2"),
        ],
    )
    assert made == 2
    assert sorted(Notification.objects.values_list("recipient__username", "key")) == [
        ("applicant", "k1"),
        ("applicant", "k2"),
        ("handler", "k1"),
    ]


def _blind(filter_):
    """Notification.objects.filter that does not see the notices already written, once (the check of notify_many)."""
    calls = []

    def once(*args, **kwargs):
        calls.append(1)
        queryset = filter_(*args, **kwargs)
        return queryset.none() if len(calls) == 1 else queryset

    return once


def test_the_sweep_announces_each_permit_and_its_batch(people, today, django_capture_on_commit_callbacks, settings):
    settings.SWEEP_BATCH_SIZE = 2
    heard: list[tuple[str, dict]] = []
    from wrp.core import events as core_events

    def hear(event, context):
        heard.append((event, context))

    core_events.subscribe(hear)
    try:
        for _n in range(3):
            make_permit(
                make_user(Role.APPLICANT),
                people.unit,
                issued_on=date(2022, 1, 1),
                valid_until=today - timedelta(days=1),
            )
        with django_capture_on_commit_callbacks(execute=True):
            assert permits_expire(today=today) == 3
    finally:
        core_events._subscribers.remove(hear)
    singles = [context["permit_id"] for event, context in heard if event == "permit.expired"]
    batches = [context["permit_ids"] for event, context in heard if event == "permits.expired"]
    assert [len(batch) for batch in batches] == [2, 1]
    assert sorted(singles) == sorted(pk for batch in batches for pk in batch)
    assert Notification.objects.filter(event="permit.expired").count() == 3 * 2
    assert services.BULK_ROWS >= 100


def test_the_deliveries_of_a_batch_are_sent_by_a_queue_task_per_hundred(
    expired, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from tests.tasks.helpers import run_queue
    from wrp.notifications import channels

    monkeypatch.setattr(channels, "DELIVERIES_PER_TASK", 3)
    with django_capture_on_commit_callbacks(execute=True):
        events.on_event("permits.expired", {"permit_ids": expired})
    assert (
        list(DBTaskResult.objects.values_list("task_path", flat=True))
        == ["wrp.notifications.channels.deliveries_send"] * 2
    )  # 4 deliveries, 3 a task
    assert run_queue() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(message.to[0] for message in mailoutbox) == [
        "handler@example.cn",
        "handler@example.cn",
        "zhang@example.cn",
    ]  # and holder1's SMS
