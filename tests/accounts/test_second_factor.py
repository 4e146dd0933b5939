"""The staff second factor (issue 11 §3): clerks, approvers and administrators confirm each session with a TOTP code or
a recovery code before any staff page, the admin site or the session API; applicants and unit handlers never are asked.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrp.accounts.devices import RECOVERY_CODE_COUNT, second_factor_enrol, totp_device_pending
from wrp.accounts.services import token_create
from wrp.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CODE_STEP = reverse("accounts:otp_verify")
ENROL = reverse("accounts:otp_enrol")
RECOVERY = reverse("accounts:otp_recovery_codes")
STAFF_PAGES = {"clerk": "/clerk/", "approver": "/bureau/", "administrator": "/admin/"}


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.STAFF_OTP_REQUIRED = True


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def code_of(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(code_of(device)) + 1) % 1_000_000:06d}"


def verified(client, user, device) -> None:
    """A session already confirmed with `device` (set up directly: the code step itself is tested below)."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- who is stopped, and where they are sent ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", list(STAFF_PAGES))
def test_staff_with_an_authenticator_are_sent_to_the_code_step_from_their_pages(request, client, persona):
    user = request.getfixturevalue(persona)
    enrolled(user)
    client.force_login(user)
    response = client.get(STAFF_PAGES[persona])
    assert response.status_code == 302
    assert response["Location"] == f"{CODE_STEP}?next={STAFF_PAGES[persona].replace('/', '%2F')}"


@pytest.mark.parametrize("persona", list(STAFF_PAGES))
def test_staff_without_an_authenticator_are_sent_to_enrolment(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(STAFF_PAGES[persona])
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)


@pytest.mark.parametrize("persona", list(STAFF_PAGES))
def test_staff_with_a_verified_session_reach_their_pages(request, client, persona):
    user = request.getfixturevalue(persona)
    verified(client, user, enrolled(user))
    assert client.get(STAFF_PAGES[persona]).status_code == 200


def test_the_admin_site_itself_refuses_an_administrator_not_verified(rf, administrator):
    from django.contrib import admin

    from wrp.accounts.middleware import StaffSecondFactorMiddleware  # noqa: F401 (the first lock; this is the second)

    enrolled(administrator)
    request = rf.get("/admin/")
    request.user = administrator
    administrator.is_verified = lambda: False
    assert admin.site.has_permission(request) is False
    administrator.is_verified = lambda: True
    assert admin.site.has_permission(request) is True


def test_a_staff_members_page_loaded_by_htmx_is_redirected_by_htmx(client, clerk):
    enrolled(clerk)
    client.force_login(clerk)
    response = client.get("/clerk/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(CODE_STEP)


def test_public_pages_sign_in_and_sign_out_stay_reachable(client, clerk):
    enrolled(clerk)
    client.force_login(clerk)
    assert client.get("/").status_code == 200
    assert client.get("/guide/").status_code == 200
    assert client.get(CODE_STEP).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("persona", "page"), [("applicant", "/me/"), ("handler", "/unit/")])
def test_applicants_and_unit_handlers_are_never_asked_for_a_code(request, client, persona, page):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(page).status_code == 200
    assert client.get(CODE_STEP).status_code == 302  # nothing to do there: on to their landing page


def test_the_switch_off_lets_staff_in_with_the_password_alone(client, clerk, settings):
    settings.STAFF_OTP_REQUIRED = False
    client.force_login(clerk)
    assert client.get("/clerk/").status_code == 200


# --- the API ------------------------------------------------------------------------------------------------------------


def test_the_session_api_refuses_unverified_staff_with_a_code(client, clerk):
    enrolled(clerk)
    client.force_login(clerk)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"error": "unauthenticated", "code": "second_factor_required"}


def test_the_session_api_answers_verified_staff(client, clerk):
    verified(client, clerk, enrolled(clerk))
    assert client.get("/api/v1/me").json()["username"] == "clerk"


def test_bearer_tokens_are_unaffected_even_beside_an_unverified_session(client, clerk):
    token = token_create(user=clerk)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    enrolled(clerk)
    client.force_login(clerk)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["username"] == "clerk"


# --- the code step -------------------------------------------------------------------------------------------------------


def test_sign_in_with_the_password_leads_staff_to_the_code_step(client, clerk, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    clerk.set_password("Window-2026-pass")
    clerk.save()
    enrolled(clerk)
    response = client.post(reverse("accounts:login"), {"username": "clerk", "password": "Window-2026-pass"},
                           follow=True)
    assert response.redirect_chain[-1][0].startswith(CODE_STEP)
    assert "动态验证码" in response.content.decode()


def test_the_right_code_passes_and_leads_on(client, clerk):
    device = enrolled(clerk)
    client.force_login(clerk)
    response = client.post(CODE_STEP, {"code": code_of(device), "next": "/clerk/"})
    assert response.status_code == 302
    assert response["Location"] == "/clerk/"
    assert client.get("/clerk/").status_code == 200
    assert events("otp.failed") == []


def test_the_code_step_never_leads_off_the_site(client, clerk):
    device = enrolled(clerk)
    client.force_login(clerk)
    response = client.post(CODE_STEP, {"code": code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:landing")


def test_a_wrong_code_is_refused_counted_and_audited(client, clerk):
    device = enrolled(clerk)
    client.force_login(clerk)
    response = client.post(CODE_STEP, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get("/clerk/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    [event] = events("otp.failed")
    assert (event.actor_id, event.object_id, event.outcome) == (clerk.pk, str(clerk.pk), "refused")
    assert event.changes == {"method": "totp", "failures": 1}


def test_after_a_wrong_code_the_next_try_waits(client, clerk, frozen_clock):
    device = enrolled(clerk)
    client.force_login(clerk)
    client.post(CODE_STEP, {"code": wrong_code(device)})
    response = client.post(CODE_STEP, {"code": code_of(device)})
    assert "错误次数过多" in response.content.decode()
    assert len(events("otp.failed")) == 2
    frozen_clock.shift(2)
    assert client.post(CODE_STEP, {"code": code_of(device)}).status_code == 302


def test_a_code_is_accepted_once_only(client, clerk, frozen_clock):
    device = enrolled(clerk)
    client.force_login(clerk)
    code = code_of(device)
    assert client.post(CODE_STEP, {"code": code}).status_code == 302
    client.logout()
    client.force_login(clerk)
    assert client.post(CODE_STEP, {"code": code}).status_code == 200  # replayed: refused


def test_a_recovery_code_works_once(client, clerk, frozen_clock):
    codes = second_factor_enrol(device=totp_device_pending(user=clerk), code=code_of(totp_device_pending(user=clerk)))
    frozen_clock.shift(30)
    client.force_login(clerk)
    assert client.post(CODE_STEP, {"code": codes[0].upper()}).status_code == 302
    assert client.get("/clerk/").status_code == 200
    client.logout()
    client.force_login(clerk)
    response = client.post(CODE_STEP, {"code": codes[0]})
    assert response.status_code == 200
    assert events("otp.failed")[-1].changes["method"] == "recovery"
    assert StaticToken.objects.filter(device__user=clerk).count() == RECOVERY_CODE_COUNT - 1


# --- enrolment ------------------------------------------------------------------------------------------------------------


def test_enrolment_shows_the_qr_code_as_inline_svg_and_the_secret(client, approver):
    client.force_login(approver)
    page = client.get(ENROL).content.decode()
    figure = re.search(r'<figure class="otp-qr">(.*?)</figure>', page, re.S).group(1)
    assert figure.lstrip().startswith("<svg")
    assert "data:" not in figure
    assert "<script" not in figure
    device = TOTPDevice.objects.get(user=approver, confirmed=False)
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    from base64 import b32decode

    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert client.get(ENROL).status_code == 200
    assert TOTPDevice.objects.filter(user=approver).count() == 1


def test_enrolment_confirms_only_with_a_valid_code(client, approver, frozen_clock):
    client.force_login(approver)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=approver)
    response = client.post(ENROL, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert events("otp.enrol") == []
    assert [event.changes["method"] for event in events("otp.failed")] == ["enrol"]
    frozen_clock.shift(2)
    response = client.post(ENROL, {"code": code_of(device), "next": "/bureau/"})
    assert response.status_code == 302
    assert response["Location"].startswith(RECOVERY)
    device.refresh_from_db()
    assert device.confirmed is True
    [event] = events("otp.enrol")
    assert event.actor_id == approver.pk
    assert event.changes == {"device": "totp", "recovery_codes": 10}
    assert client.get("/bureau/").status_code == 200  # the enrolment verified this session


def test_the_recovery_codes_are_shown_once_after_enrolment(client, approver):
    client.force_login(approver)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=approver)
    client.post(ENROL, {"code": code_of(device)})
    first = client.get(RECOVERY).content.decode()
    stored = set(StaticToken.objects.filter(device__user=approver).values_list("token", flat=True))
    shown = set(re.findall(r"<li>([a-z2-7]{8})</li>", first))
    assert len(shown) == RECOVERY_CODE_COUNT
    assert shown == stored
    again = client.get(RECOVERY).content.decode()
    assert not shown & set(re.findall(r"<li>([a-z2-7]{8})</li>", again))
    assert "还剩10个未用的恢复码" in again


def test_enrolment_is_closed_once_an_authenticator_is_bound(client, approver):
    enrolled(approver)
    client.force_login(approver)
    assert client.get(ENROL)["Location"] == CODE_STEP
    assert client.post(ENROL, {"code": "123456"})["Location"] == CODE_STEP
    assert TOTPDevice.objects.filter(user=approver).count() == 1


def test_new_recovery_codes_replace_the_old_ones(client, clerk, frozen_clock):
    old = second_factor_enrol(device=totp_device_pending(user=clerk), code=code_of(totp_device_pending(user=clerk)))
    verified(client, clerk, TOTPDevice.objects.get(user=clerk))
    assert client.post(RECOVERY)["Location"] == RECOVERY
    new = set(re.findall(r"<li>([a-z2-7]{8})</li>", client.get(RECOVERY).content.decode()))
    assert len(new) == RECOVERY_CODE_COUNT
    assert not new & set(old)
    assert StaticDevice.objects.filter(user=clerk).count() == 1
    assert events("otp.enrol")[-1].changes == {"device": "recovery", "recovery_codes": 10}
