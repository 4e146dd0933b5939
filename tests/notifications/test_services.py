"""notify(): one notice per recipient and key, rendered in each recipient's language, deliveries to verified and
wanted channels after commit, retried and logged; and no personal number, income or child detail in any template."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.template import engines

from wrp.notifications import channels
from wrp.notifications.models import ContactPreference, Delivery, DeliveryStatus, Notification
from wrp.notifications.services import contact_preference_set, notification_render, notify
from wrp.notifications.sms import SmsError, SmsProvider

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ID_LIKE = re.compile(r"\d{6}(?:\d{8}|\*{8})\d{3}[\dXx]")


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Deliveries run as soon as they are enqueued (after commit), in the test's thread."""
    settings.TASKS = IMMEDIATE
    settings.NOTIFY_MAX_ATTEMPTS = 3


@pytest.fixture
def event_templates(settings, tmp_path: Path) -> Path:
    """A template directory of this test's own, searched before the apps' templates."""
    folder = tmp_path / "templates" / "notifications"
    folder.mkdir(parents=True)
    (folder / "test.greeting.txt").write_text(
        '{% load i18n %}{% get_current_language as lang %}{% translate "退出" %} {{ case_number }}\n'
        "lang={{ lang }} <b>{{ recipient.username }}</b>\n", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}]
    return folder


class Recording(SmsProvider):
    sent: list[tuple[str, str]] = []
    failures = 0

    def send(self, mobile: str, text: str) -> None:
        if Recording.failures:
            Recording.failures -= 1
            raise SmsError("gateway busy")
        Recording.sent.append((mobile, text))


@pytest.fixture
def sms(settings):
    settings.SMS_PROVIDER = "tests.notifications.test_services.Recording"
    Recording.sent, Recording.failures = [], 0
    return Recording


def test_notify_creates_one_notice_per_recipient(people, applicant, handler, event_templates):
    made = notify(event="test.greeting", recipients=[applicant, handler, applicant], context={"case_number": "C1"},
                  key="test.greeting:1", link="/cases/C1/")
    assert made == 2
    assert Notification.objects.filter(key="test.greeting:1").count() == 2
    notice = Notification.objects.get(recipient=applicant)
    assert (notice.event, notice.link, notice.read_at) == ("test.greeting", "/cases/C1/", None)


def test_the_same_key_tells_nobody_twice(people, applicant, handler, event_templates):
    notify(event="test.greeting", recipients=[applicant], context={}, key="k:1")
    again = notify(event="test.greeting", recipients=[applicant, handler], context={}, key="k:1")
    assert again == 1  # only the handler is new
    assert Notification.objects.filter(recipient=applicant, key="k:1").count() == 1
    assert notify(event="test.greeting", recipients=[], context={}, key="k:2") == 0


def test_each_recipient_reads_it_in_their_language_as_plain_text(people, applicant, handler, event_templates):
    contact_preference_set(user=handler, language="en")
    notify(event="test.greeting", recipients=[applicant, handler], context={"case_number": "C7"}, key="k:lang")
    zh = Notification.objects.get(recipient=applicant)
    en = Notification.objects.get(recipient=handler)
    assert zh.subject == "退出 C7"
    # plain text, not HTML-escaped; a notice about a case ends with the public tracker's link
    assert zh.body == "lang=zh-hans <b>applicant</b>\n查询办理进度：http://127.0.0.1:8000/track/?case=C7"
    assert en.subject == "Sign out C7"
    assert en.body == "lang=en <b>handler</b>\nFollow the case: http://127.0.0.1:8000/track/?case=C7"


def test_an_event_without_its_template_falls_back_to_the_generic_one(people, applicant):
    notify(event="no.such.event", recipients=[applicant], context={}, key="k:generic")
    notice = Notification.objects.get(recipient=applicant)
    assert notice.subject == "您有一条新的通知"
    assert "通知" in notice.body


def test_deliveries_go_to_verified_and_wanted_channels_after_commit(
    people, applicant, handler, clerk, approver, event_templates, sms, django_capture_on_commit_callbacks
):
    contact_preference_set(user=applicant, email="li.ming@example.com", mobile="13800138000", verified=True,
                           sms_on=True)
    contact_preference_set(user=handler, email="hr@example.com", verified=False)  # not verified: no e-mail
    contact_preference_set(user=clerk, email="clerk@example.com", verified=True, email_on=False)  # switched off
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(event="test.greeting", recipients=[applicant, handler, clerk, approver], context={}, key="k:d",
               link="/cases/C1/")
    deliveries = Delivery.objects.order_by("channel")
    assert [(d.notification.recipient, d.channel, d.status) for d in deliveries] == [
        (applicant, "email", "queued"), (applicant, "sms", "queued")]
    assert mail.outbox == []
    assert sms.sent == []
    assert [d.address for d in deliveries] == ["li***@example.com", "138****8000"]
    for callback in callbacks:
        callback()
    assert [(m.to, m.subject) for m in mail.outbox] == [(["li.ming@example.com"], "退出")]
    assert mail.outbox[0].body.endswith("http://127.0.0.1:8000/cases/C1/")
    assert sms.sent == [("13800138000", "【朝阳人社】退出 http://127.0.0.1:8000/cases/C1/")]
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}


def test_a_failed_delivery_is_retried_and_logged(
    people, applicant, event_templates, sms, django_capture_on_commit_callbacks
):
    contact_preference_set(user=applicant, mobile="13800138000", verified=True, email_on=False, sms_on=True)
    sms.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="test.greeting", recipients=[applicant], context={}, key="k:retry")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert len(sms.sent) == 1


def test_a_delivery_that_keeps_failing_ends_failed_with_its_error(
    people, applicant, event_templates, sms, django_capture_on_commit_callbacks
):
    contact_preference_set(user=applicant, mobile="13800138000", verified=True, email_on=False, sms_on=True)
    sms.failures = 10
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="test.greeting", recipients=[applicant], context={}, key="k:fail")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert delivery.last_error == "SmsError: gateway busy"
    assert sms.sent == []


def test_a_delivery_is_sent_once_even_if_enqueued_twice(
    people, applicant, event_templates, django_capture_on_commit_callbacks
):
    contact_preference_set(user=applicant, email="a@example.com", verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="test.greeting", recipients=[applicant], context={}, key="k:once")
    delivery = Delivery.objects.get()
    assert channels.delivery_send.call(delivery.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_delivery_whose_address_was_unverified_meanwhile_fails_without_sending(
    people, applicant, event_templates, django_capture_on_commit_callbacks
):
    contact_preference_set(user=applicant, email="a@example.com", verified=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(event="test.greeting", recipients=[applicant], context={}, key="k:changed")
    ContactPreference.objects.filter(user=applicant).update(email_verified=False)
    for callback in callbacks:
        callback()
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    assert mail.outbox == []


# --- no personal numbers, income or child details in any message ---------------------------------------------------


def _event_templates() -> list[str]:
    names = set()
    for engine in engines.all():
        for loader in engine.engine.template_loaders:
            for folder in loader.get_dirs():
                names |= {f"notifications/{p.name}" for p in Path(folder).glob("notifications/*.txt")}
    return sorted(names)


def test_every_event_template_is_found():
    assert "notifications/_generic.txt" in _event_templates()


@pytest.fixture
def rich_context(people, applicant, handler, unit, today):
    """Every object a notice may be about, full of the details a notice must never show."""
    from tests.factories import case_in_state, make_association, make_ledger, make_permit
    from wrp.accounts.models import ApplicantProfile
    from wrp.demo.people import PROFILE

    applicant.id_number_masked = "110105********002X"
    applicant.real_name = "李明"
    applicant.save()
    ApplicantProfile.objects.create(user=applicant, facts={
        **PROFILE, "taxable_income_12m": 987654, "children": [{"name": "李小雨", "case": "in_policy"}]})
    association = make_association(applicant, unit)
    make_ledger(unit, today.year, granted=3)
    case = case_in_state(people, "approved")
    permit = make_permit(applicant, unit, children=[{"name": "李小雨", "case": "in_policy"}])
    return {
        "case": case, "permit": permit, "association": association, "unit": unit, "applicant": applicant,
        "holder": applicant, "employee": applicant, "person": applicant, "recipient": applicant, "handler": handler,
        "cases": [case], "permits": [permit], "count": 1, "days": 60, "due": today, "today": today, "link": "/x/",
    }


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_template_shows_an_id_number_income_or_child(rich_context, language):
    for name in _event_templates():
        event = name.removeprefix("notifications/").removesuffix(".txt")
        subject, body = notification_render(event, rich_context, language=language)
        text = f"{subject}\n{body}"
        assert subject, name
        assert not ID_LIKE.search(text), name
        assert "987654" not in text, name
        assert "987,654" not in text, name
        assert "李小雨" not in text, name


def test_a_deactivated_account_is_not_told(people, applicant, handler, event_templates):
    handler.is_active = False
    handler.save()
    assert notify(event="test.greeting", recipients=[applicant, handler], context={}, key="k:inactive") == 1
    assert not Notification.objects.filter(recipient=handler).exists()
