"""Getting an account without an administrator (issue 13 §1; wrp.accounts.registration): applicants and unit handlers
register with a code sent to their mobile and one sent to their e-mail, and reset a forgotten password by a code.
Nothing is written until the codes are right; the ID number never reaches a URL, a log line or the audit trail.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from wrp.accounts import codes, registration
from wrp.accounts.models import Role, User
from wrp.accounts.registration import registration_complete, registration_start
from wrp.accounts.services import user_create, user_id_number
from wrp.audit.models import AuditEvent
from wrp.core.errors import Invalid
from wrp.demo import resident_id
from wrp.notifications import channels
from wrp.notifications.models import Channel, ContactPreference
from wrp.notifications.services import contact_preference_set

PASSWORD = "a long passphrase 7"
ID_NUMBER = resident_id(701)
MOBILE, EMAIL = "13912345678", "new.person@example.com"
DETAILS = {"real_name": "周新", "id_number": ID_NUMBER, "mobile": MOBILE, "email": EMAIL}
CODE = re.compile(r"验证码：(\d{6})")


@pytest.fixture(autouse=True)
def _setup(settings, frozen_clock, db, caplog):
    """Fast hashes, generous limits unless a test narrows one, a clean cache; the SMS log read at INFO."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RATE_LIMIT_CODE_CLIENT = "100/h"
    settings.RATE_LIMIT_CODE_ADDRESS = "100/h"
    caplog.set_level(logging.DEBUG)
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR="198.51.100.7")


# --- helpers ------------------------------------------------------------------------------------------------------------


def sms_codes(caplog) -> list[str]:
    """The codes the SMS provider (the log provider) sent, oldest first."""
    return [m.group(1) for r in caplog.records if r.name == "wrp.sms" and (m := CODE.search(r.getMessage()))]


def mail_codes() -> list[str]:
    return [m.group(1) for message in mail.outbox if (m := CODE.search(message.subject))]


def start(client: Client, who: str = "applicant", **changes: str):
    return client.post(reverse("accounts:register_details", args=[who]), {**DETAILS, **changes})


def finish(client: Client, sms: str, email: str, username: str = "zhouxin", password: str = PASSWORD):
    return client.post(reverse("accounts:register_verify"), {
        "code_sms": sms, "code_email": email, "username": username, "password1": password, "password2": password})


def register(client: Client, caplog, who: str = "applicant", username: str = "zhouxin", **changes: str):
    assert start(client, who, **changes).status_code == 302
    return finish(client, sms_codes(caplog)[-1], mail_codes()[-1], username=username)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def nothing_written() -> None:
    assert not User.objects.filter(username="zhouxin").exists()
    assert not ContactPreference.objects.exists()
    assert not AuditEvent.objects.filter(action="user.register").exists()
    assert not AuditEvent.objects.filter(action="user.create", changes__username="zhouxin").exists()


# --- registration -------------------------------------------------------------------------------------------------------


def test_an_applicant_registers_with_both_codes_and_is_signed_in(client, caplog):
    step1 = start(client)
    assert step1.status_code == 302
    assert step1["Location"] == reverse("accounts:register_verify")
    page = client.get(reverse("accounts:register_verify"))
    assert "110105********" in page.content.decode()
    assert ID_NUMBER not in page.content.decode()
    assert len(sms_codes(caplog)) == 1
    assert len(mail_codes()) == 1
    assert mail.outbox[0].to == [EMAIL]

    done = finish(client, sms_codes(caplog)[0], mail_codes()[0])
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:landing")
    user = User.objects.get(username="zhouxin")
    assert (user.role, user.real_name, user.phone) == (Role.APPLICANT, "周新", MOBILE)
    assert user_id_number(user) == ID_NUMBER
    assert user.id_number_masked == "110105********" + ID_NUMBER[-4:]
    assert user.check_password(PASSWORD)
    contact = ContactPreference.objects.get(user=user)
    assert (contact.email, contact.email_verified, contact.mobile, contact.mobile_verified) == (EMAIL, True, MOBILE, True)
    assert list(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True).order_by("id")) == [
        "user.create", "user.register", "auth.login"]
    landing = client.get(reverse("accounts:landing"), follow=True)
    assert landing.redirect_chain[-1][0] == reverse("portal:applicant_home")
    assert "注册成功" in landing.content.decode()


def test_a_unit_handler_registers_and_lands_on_the_unit_portal(client, caplog):
    done = register(client, caplog, who="unit-handler")
    assert done.status_code == 302
    user = User.objects.get(username="zhouxin")
    assert user.role == Role.UNIT_HANDLER
    assert not user.is_staff
    home = client.get(done["Location"], follow=True)
    assert home.redirect_chain[-1][0] == reverse("portal:unit_home")
    assert "您还没有经办的单位" in home.content.decode()


def test_the_register_page_offers_both_roles_and_no_staff_role(client):
    page = client.get(reverse("accounts:register")).content.decode()
    assert reverse("accounts:register_details", args=["applicant"]) in page
    assert reverse("accounts:register_details", args=["unit-handler"]) in page
    assert "由系统管理员开设" in page
    assert client.get("/register/window-clerk/").status_code == 404


def test_a_signed_in_person_goes_to_their_landing_instead(client):
    client.force_login(make_user(Role.APPLICANT))
    assert client.get(reverse("accounts:register"))["Location"] == reverse("accounts:landing")


def test_a_wrong_code_writes_nothing_and_is_shown_next_to_its_field(client, caplog):
    start(client)
    refused = finish(client, wrong(sms_codes(caplog)[0]), mail_codes()[0])
    assert refused.status_code == 422
    html = refused.content.decode()
    assert re.search(r'id="field-code_sms".*?验证码不正确', html, re.S)
    assert 'id="id_code_email-error"' not in html, "the right code is not marked"
    nothing_written()


def test_an_expired_code_is_refused_and_new_codes_work(client, caplog, frozen_clock):
    start(client)
    frozen_clock.shift(timedelta(minutes=29))
    assert client.get(reverse("accounts:register_verify")).status_code == 200  # the session stays alive
    frozen_clock.shift(timedelta(minutes=2))
    refused = finish(client, sms_codes(caplog)[0], mail_codes()[0])
    assert refused.status_code == 422
    assert "验证码已过期" in refused.content.decode()
    nothing_written()
    assert client.post(reverse("accounts:register_resend")).status_code == 302
    assert len(mail_codes()) == 2
    assert finish(client, sms_codes(caplog)[-1], mail_codes()[-1]).status_code == 302
    assert User.objects.filter(username="zhouxin").exists()


def test_too_many_wrong_tries_void_the_codes(client, caplog):
    start(client)
    sms, email = sms_codes(caplog)[0], mail_codes()[0]
    answers = [finish(client, wrong(sms), email) for _ in range(codes.CODE_TRIES)]
    assert [a.status_code for a in answers] == [422] * codes.CODE_TRIES
    assert "错误次数过多" in answers[-1].content.decode()
    void = finish(client, sms, email)
    assert void.status_code == 422
    assert "已作废" in void.content.decode()
    nothing_written()
    client.post(reverse("accounts:register_resend"))
    assert finish(client, sms_codes(caplog)[-1], mail_codes()[-1]).status_code == 302


def test_a_registered_id_number_points_to_password_reset_and_sends_nothing(client, caplog):
    user_create(username="earlier", role=Role.APPLICANT, id_number=ID_NUMBER)
    refused = start(client, mobile="13700000001", email="other@example.com")
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "该身份证号已注册账户" in html
    assert reverse("accounts:password_reset") in html
    assert "earlier" not in html, "nothing about the other account but that it exists"
    assert mail.outbox == []
    assert sms_codes(caplog) == []


def test_an_invalid_id_number_is_refused_with_the_reason(client, caplog):
    refused = start(client, id_number=ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2"))
    assert refused.status_code == 422
    assert re.search(r'id="field-id_number".*?第18位校验码应为', refused.content.decode(), re.S)
    assert mail.outbox == []


def test_a_taken_username_is_refused_and_another_one_works_with_the_same_codes(client, caplog):
    make_user(Role.APPLICANT, "zhouxin")
    start(client)
    sms, email = sms_codes(caplog)[0], mail_codes()[0]
    refused = finish(client, sms, email)
    assert refused.status_code == 422
    assert re.search(r'id="field-username".*?用户名“zhouxin”已存在', refused.content.decode(), re.S)
    assert not ContactPreference.objects.exists()
    assert finish(client, sms, email, username="zhouxin2").status_code == 302
    assert User.objects.get(username="zhouxin2").real_name == "周新"


def test_a_weak_password_is_refused_without_spending_a_try(client, caplog):
    start(client)
    sms, email = sms_codes(caplog)[0], mail_codes()[0]
    for _ in range(codes.CODE_TRIES + 1):
        refused = finish(client, sms, email, password="12345678901")
        assert refused.status_code == 422
    assert "field-password1" in refused.content.decode()
    assert finish(client, sms, email).status_code == 302


def test_sending_is_limited_per_address(client, settings, caplog):
    settings.RATE_LIMIT_CODE_ADDRESS = "2/h"
    assert [start(Client(REMOTE_ADDR=f"198.51.100.{n}")).status_code for n in (1, 2)] == [302, 302]
    limited = start(Client(REMOTE_ADDR="198.51.100.3"))
    assert limited.status_code == 429
    assert "发送验证码过于频繁" in limited.content.decode()
    assert len(mail_codes()) == 2


def test_sending_is_limited_per_client(client, settings):
    settings.RATE_LIMIT_CODE_CLIENT = "2/h"
    statuses = [start(client, mobile=f"1370000000{n}", email=f"p{n}@example.com").status_code for n in range(3)]
    assert statuses == [302, 302, 429]


def test_a_code_that_cannot_be_sent_keeps_nothing(client, monkeypatch):
    def broken(address, notification):
        raise OSError("mail server down")

    monkeypatch.setitem(channels.SENDERS, Channel.EMAIL, broken)
    refused = start(client)
    assert refused.status_code == 503
    assert "验证码未能发送" in refused.content.decode()
    assert client.get(reverse("accounts:register_verify"))["Location"] == reverse("accounts:register")


def test_nothing_is_written_when_the_addresses_cannot_be_recorded(client, caplog, monkeypatch):
    start(client)

    def failing(**kwargs):
        raise RuntimeError("contact table unavailable")

    monkeypatch.setattr(codes.contact_channels(), "contacts_record", failing)
    with pytest.raises(RuntimeError):
        finish(client, sms_codes(caplog)[0], mail_codes()[0])
    nothing_written()


def test_the_id_number_reaches_no_url_no_log_and_no_audit_event(client, caplog):
    answers = [start(client)]
    answers.append(finish(client, sms_codes(caplog)[0], mail_codes()[0]))
    answers.append(client.get(answers[-1]["Location"], follow=True))
    for answer in answers:
        assert ID_NUMBER not in answer.get("Location", "")
        assert all(ID_NUMBER not in url for url, _status in getattr(answer, "redirect_chain", []))
    assert not any(ID_NUMBER in record.getMessage() for record in caplog.records)
    assert not any(ID_NUMBER in str(event.changes) for event in AuditEvent.objects.all())
    assert not any(ID_NUMBER in message.body + message.subject for message in mail.outbox)


def test_the_pending_registration_keeps_the_id_number_encrypted(caplog):
    session = SessionStore()
    registration_start(session=session, client="198.51.100.9", role=Role.APPLICANT, language="zh", **DETAILS)
    session.save()
    stored = Session.objects.get(session_key=session.session_key)
    assert ID_NUMBER not in str(stored.get_decoded())
    assert ID_NUMBER not in stored.session_data
    assert session[registration.REGISTRATION]["id_number_masked"].startswith("110105****")


def test_an_id_number_registered_meanwhile_is_refused_at_the_end_and_nothing_is_written(caplog):
    session = SessionStore()
    registration_start(session=session, client="198.51.100.9", role=Role.UNIT_HANDLER, language="zh", **DETAILS)
    user_create(username="faster", role=Role.APPLICANT, id_number=ID_NUMBER)
    with pytest.raises(Invalid) as refused:
        registration_complete(session=session, codes={"sms": sms_codes(caplog)[0], "email": mail_codes()[0]},
                              username="zhouxin", password=PASSWORD)
    assert refused.value.codes == {"id_number": "taken"}
    nothing_written()


def test_a_staff_role_cannot_register_itself():
    with pytest.raises(Invalid) as refused:
        registration_start(session=SessionStore(), client="198.51.100.9", role=Role.WINDOW_CLERK, language="zh",
                           **DETAILS)
    assert refused.value.codes == {"role": "not_self_service"}
    assert mail.outbox == []


# --- the login page -----------------------------------------------------------------------------------------------------


def test_the_login_page_says_how_to_get_an_account_and_links_the_reset(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:register") in html
    assert "还没有账户" in html
    assert reverse("accounts:password_reset") in html
    assert "忘记密码" in html
    assert "由系统管理员开设" in html


# --- password reset -----------------------------------------------------------------------------------------------------


@pytest.fixture
def member(client, caplog) -> User:
    """A person who registered (verified mobile and e-mail); the codes sent so far are forgotten."""
    register(Client(REMOTE_ADDR="198.51.100.8"), caplog)
    mail.outbox.clear()
    caplog.clear()
    return User.objects.get(username="zhouxin")


def reset_request(client: Client, identifier: str):
    return client.post(reverse("accounts:password_reset"), {"identifier": identifier})


def reset(client: Client, code: str, password: str = "another passphrase 9"):
    return client.post(reverse("accounts:password_reset_confirm"),
                       {"code": code, "password1": password, "password2": password})


@pytest.mark.parametrize("identifier", ["zhouxin", MOBILE, EMAIL.upper()], ids=["username", "mobile", "email"])
def test_a_password_is_reset_by_the_code_and_every_session_ends(client, caplog, member, identifier):
    signed_in = Client()
    signed_in.force_login(member)
    assert signed_in.get(reverse("accounts:landing")).status_code == 302
    asked = reset_request(client, identifier)
    assert asked["Location"] == reverse("accounts:password_reset_confirm")
    assert mail.outbox[0].to == [EMAIL]
    assert mail_codes() == sms_codes(caplog), "one code, to both verified addresses"
    done = reset(client, mail_codes()[0])
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:login")
    assert authenticate(username="zhouxin", password="another passphrase 9") == member
    assert authenticate(username="zhouxin", password=PASSWORD) is None
    assert signed_in.get(reverse("accounts:landing"))["Location"].startswith(reverse("accounts:login")), "signed out"
    assert AuditEvent.objects.filter(action="user.password_reset", object_id=str(member.pk)).count() == 1


def test_an_unknown_account_gets_the_same_answer_and_no_code(client, caplog, member):
    asked = reset_request(client, "nobody")
    assert asked["Location"] == reverse("accounts:password_reset_confirm")
    assert mail.outbox == []
    assert sms_codes(caplog) == []
    page = client.get(reverse("accounts:password_reset_confirm")).content.decode()
    assert "如果该账户存在" in page
    assert reset(client, "123456").status_code == 422


def test_a_wrong_reset_code_changes_nothing(client, caplog, member):
    reset_request(client, "zhouxin")
    refused = reset(client, wrong(mail_codes()[0]))
    assert refused.status_code == 422
    assert re.search(r'id="field-code".*?验证码不正确', refused.content.decode(), re.S)
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_reset").exists()


def test_too_many_wrong_reset_codes_void_the_code(client, caplog, member):
    reset_request(client, "zhouxin")
    code = mail_codes()[0]
    for _ in range(codes.CODE_TRIES):
        reset(client, wrong(code))
    assert "已作废" in reset(client, code).content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_staff_passwords_are_not_reset_by_code(client, caplog):
    clerk = make_user(Role.WINDOW_CLERK, "clerk9")
    contact_preference_set(user=clerk, email="clerk9@example.com", mobile="13600000009", verified=True)
    for identifier in ("clerk9", "clerk9@example.com", "13600000009"):
        assert reset_request(client, identifier).status_code == 302
    assert mail.outbox == []
    assert sms_codes(caplog) == []


def test_an_address_shared_by_two_accounts_sends_nothing(client, caplog, member):
    other = make_user(Role.UNIT_HANDLER, "second")
    contact_preference_set(user=other, email=EMAIL, mobile="13600000010", verified=True)
    reset_request(client, EMAIL)
    assert mail.outbox == []
    reset_request(client, "second")
    assert len(mail.outbox) == 1


def test_the_reset_code_step_needs_a_request_first(client):
    assert client.get(reverse("accounts:password_reset_confirm"))["Location"] == reverse("accounts:password_reset")
