"""The notification centre: the bell with the unread count on every signed-in page (one query, however many notices),
the list of one's own notices, marking one or all read, and one's contact details, channels and their verification."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wrp.notifications.models import ContactPreference, Notification
from wrp.notifications.services import contact_preference_set

LIST = "/notifications/"
SETTINGS = "/notifications/settings/"


def notice(user, n: int, *, read: bool = False, link: str = "") -> Notification:
    from django.utils import timezone

    return Notification.objects.create(recipient=user, event="test.event", key=f"test:{user.pk}:{n}",
                                       subject=f"通知标题{n}", body=f"通知内容{n}", link=link,
                                       read_at=timezone.now() if read else None)


@pytest.fixture
def signed_in(client, applicant):
    client.force_login(applicant)
    return client


def bell(html: str) -> str:
    match = re.search(r'<a class="bell[^"]*" href="/notifications/">(.*?)</a>', html, re.S)
    assert match, "no bell in the header"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_urls_are_where_the_plan_says():
    assert (reverse("portal:notifications"), reverse("portal:notification_settings")) == (LIST, SETTINGS)


def test_the_bell_shows_the_unread_count_on_signed_in_pages(signed_in, applicant, other_applicant):
    for n in range(3):
        notice(applicant, n)
    notice(applicant, 9, read=True)
    notice(other_applicant, 1)
    page = signed_in.get(reverse("portal:applicant_home"))
    assert page.status_code == 200
    assert bell(page.content.decode()) == "通知 3 条未读"


def test_the_bell_has_no_count_when_all_is_read(signed_in, applicant):
    notice(applicant, 1, read=True)
    assert bell(signed_in.get(SETTINGS).content.decode()) == "通知"


def test_anonymous_pages_have_no_bell(client, db):
    assert 'class="bell' not in client.get("/").content.decode()


def test_the_bell_costs_the_same_queries_however_many_notices(signed_in, applicant):
    notice(applicant, 0)
    signed_in.get(SETTINGS)  # the first view after the test's sign-in stamps the session's touch (session_touch)
    with CaptureQueriesContext(connection) as one:
        signed_in.get(SETTINGS)
    for n in range(1, 30):
        notice(applicant, n)
    with CaptureQueriesContext(connection) as many:
        page = signed_in.get(SETTINGS)
    assert bell(page.content.decode()) == "通知 30 条未读"
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_list_shows_ones_own_notices_newest_first(signed_in, applicant, other_applicant, frozen_clock):
    notice(applicant, 1)
    frozen_clock.shift(60)
    notice(applicant, 2, read=True)
    notice(other_applicant, 3)
    html = signed_in.get(LIST).content.decode()
    assert html.index("通知标题2") < html.index("通知标题1")
    assert "通知标题3" not in html
    assert "全部标为已读" in html
    unread = signed_in.get(LIST, {"show": "unread"}).content.decode()
    assert "通知标题1" in unread
    assert "通知标题2" not in unread


def test_an_empty_centre_says_so(signed_in):
    assert "还没有通知。" in signed_in.get(LIST).content.decode()


def test_anonymous_is_sent_to_sign_in(client, db):
    page = client.get(LIST)
    assert page.status_code == 302
    assert "/login" in page["Location"]


def test_marking_one_read(signed_in, applicant):
    item = notice(applicant, 1)
    page = signed_in.post(reverse("portal:notification_read", args=[item.pk]))
    assert (page.status_code, page["Location"]) == (302, LIST)
    item.refresh_from_db()
    assert item.read_at is not None


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(signed_in, applicant):
    item = notice(applicant, 1, link="/me/cases/")
    page = signed_in.post(reverse("portal:notification_read", args=[item.pk]), {"open": "1"})
    assert page["Location"] == "/me/cases/"
    assert Notification.objects.get(pk=item.pk).read_at is not None


def test_going_back_never_leaves_the_platform(signed_in, applicant):
    item = notice(applicant, 1)
    page = signed_in.post(reverse("portal:notification_read", args=[item.pk]), {"next": "https://evil.example/"})
    assert page["Location"] == LIST


def test_someone_elses_notice_cannot_be_marked(signed_in, other_applicant):
    item = notice(other_applicant, 1)
    assert signed_in.post(reverse("portal:notification_read", args=[item.pk])).status_code == 404
    assert Notification.objects.get(pk=item.pk).read_at is None


def test_marking_read_needs_a_post(signed_in, applicant):
    item = notice(applicant, 1)
    assert signed_in.get(reverse("portal:notification_read", args=[item.pk])).status_code == 405


def test_marking_all_read(signed_in, applicant, other_applicant):
    for n in range(3):
        notice(applicant, n)
    theirs = notice(other_applicant, 1)
    page = signed_in.post(reverse("portal:notifications_read_all"), follow=True)
    assert "已将 3 条通知标为已读。" in page.content.decode()
    assert not Notification.objects.filter(recipient=applicant, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("persona", ["handler", "clerk", "approver", "admin"])
def test_every_role_has_the_centre(client, persona, request):
    user = request.getfixturevalue(persona)
    notice(user, 1)
    client.force_login(user)
    page = client.get(LIST)
    assert page.status_code == 200
    assert "通知标题1" in page.content.decode()


# --- contact details and channels ---------------------------------------------------------------------------------


def test_saving_contact_details_leaves_them_unverified(signed_in, applicant):
    page = signed_in.post(SETTINGS, {"email": "Li.Ming@Example.com", "mobile": "138 0013 8000", "email_on": "on",
                                     "sms_on": "on", "language": "en"})
    assert page.status_code == 302
    contact = ContactPreference.objects.get(user=applicant)
    assert (contact.email, contact.mobile, contact.language) == ("li.ming@example.com", "13800138000", "en")
    assert (contact.email_verified, contact.mobile_verified, contact.email_on, contact.sms_on) == (
        False, False, True, True)
    html = signed_in.get(SETTINGS).content.decode()
    assert "li***@example.com" in html
    assert "未验证" in html


def test_changing_a_verified_address_unverifies_it_and_keeps_the_other(signed_in, applicant):
    contact_preference_set(user=applicant, email="a@example.com", mobile="13800138000", verified=True)
    signed_in.post(SETTINGS, {"email": "b@example.com", "mobile": "13800138000", "email_on": "on", "language": "zh"})
    contact = ContactPreference.objects.get(user=applicant)
    assert (contact.email, contact.email_verified, contact.mobile_verified) == ("b@example.com", False, True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "", "email_on": "on", "language": "zh"}, "email", "接收电子邮件通知需要填写电子邮箱。"),
        ({"mobile": "", "sms_on": "on", "language": "zh"}, "mobile", "接收短信通知需要填写手机号码。"),
        ({"mobile": "12345", "language": "zh"}, "mobile", "请填写 11 位手机号码，例如 13800138000。"),
        ({"email": "not-an-address", "language": "zh"}, "email", "请填写有效的电子邮箱地址，例如 name@example.com。"),
    ],
    ids=["email-on-without-email", "sms-on-without-mobile", "bad-mobile", "bad-email"],
)
def test_a_bad_contact_form_comes_back_with_the_error_at_its_field(signed_in, applicant, data, field, message):
    page = signed_in.post(SETTINGS, data)
    html = page.content.decode()
    assert page.status_code == 400
    error = re.search(rf'id="id_{field}-error">(.*?)</span>\s*</div>', html, re.S)
    assert error
    assert message in error.group(1)
    assert 'class="error-summary"' in html
    assert not ContactPreference.objects.filter(user=applicant).exists()


def test_an_address_is_verified_with_the_code_sent_to_it(signed_in, applicant):
    contact_preference_set(user=applicant, email="a@example.com")
    page = signed_in.post(reverse("portal:notification_verify"), {"channel": "email", "send": "1"}, follow=True)
    assert "验证码已发出，请查收后填写。" in page.content.decode()
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    code = re.search(r"\d{6}", mail.outbox[0].subject).group(0)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    refused = signed_in.post(reverse("portal:notification_verify"), {"channel": "email", "email-code": wrong})
    assert refused.status_code == 400
    assert "验证码不正确或已过期。" in refused.content.decode()
    assert not ContactPreference.objects.get(user=applicant).email_verified
    done = signed_in.post(reverse("portal:notification_verify"), {"channel": "email", "email-code": code})
    assert done.status_code == 302
    assert ContactPreference.objects.get(user=applicant).email_verified


def test_a_code_expires(signed_in, applicant):
    from django.utils import timezone

    from wrp.notifications.services import _code, _window

    contact_preference_set(user=applicant, mobile="13800138000")
    code = _code(applicant, "sms", "13800138000", _window(timezone.now()) - 2)  # sent 30 to 45 minutes ago
    page = signed_in.post(reverse("portal:notification_verify"), {"channel": "sms", "sms-code": code})
    assert page.status_code == 400
    assert not ContactPreference.objects.get(user=applicant).mobile_verified


def test_a_code_for_one_persons_address_does_not_verify_anothers(signed_in, applicant, other_applicant, frozen_clock):
    from django.utils import timezone

    from wrp.notifications.services import _code, _window

    contact_preference_set(user=applicant, email="same@example.com")
    theirs = _code(other_applicant, "email", "same@example.com", _window(timezone.now()))
    page = signed_in.post(reverse("portal:notification_verify"), {"channel": "email", "email-code": theirs})
    assert page.status_code == 400


def test_guessing_codes_is_stopped_after_five_tries(signed_in, applicant):
    from django.core.cache import cache
    from django.utils import timezone

    from wrp.notifications.services import _code, _window

    cache.clear()
    contact_preference_set(user=applicant, email="a@example.com")
    code = _code(applicant, "email", "a@example.com", _window(timezone.now()))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        signed_in.post(reverse("portal:notification_verify"), {"channel": "email", "email-code": wrong})
    page = signed_in.post(reverse("portal:notification_verify"), {"channel": "email", "email-code": code})
    assert page.status_code == 400
    assert "验证码错误次数过多，请 15 分钟后再试。" in page.content.decode()
    assert not ContactPreference.objects.get(user=applicant).email_verified
    cache.clear()
