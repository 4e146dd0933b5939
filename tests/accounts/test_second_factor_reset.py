"""Resetting a staff member's second factor (by another administrator, or the operator's command line) and the demo's
published authenticators (issue 11 §3)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrp.accounts.devices import demo_device_install, second_factor_enrol, totp_device_pending
from wrp.audit.models import AuditEvent
from wrp.demo.people import DEMO_TOTP_SECRETS

pytestmark = pytest.mark.django_db

USERS = reverse("admin:accounts_user_changelist")
CODE_STEP = reverse("accounts:otp_verify")


@pytest.fixture(autouse=True)
def second_factor_on(settings):
    settings.STAFF_OTP_REQUIRED = True


def enrol(user) -> None:
    device = totp_device_pending(user=user)
    second_factor_enrol(device=device, code=f"{totp(device.bin_key):06d}")


@pytest.fixture
def admin_client(client, administrator):
    """The administrator signed in, the session confirmed with their authenticator."""
    enrol(administrator)
    client.force_login(administrator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=administrator).persistent_id
    session.save()
    return client


def devices_of(user) -> int:
    return TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()


def test_another_administrator_resets_a_clerks_second_factor_and_it_is_audited(admin_client, administrator, clerk):
    enrol(clerk)
    response = admin_client.post(USERS, {"action": "reset_second_factor", "_selected_action": [clerk.pk]},
                                 follow=True)
    assert "已重置动态验证码：clerk" in response.content.decode()
    assert devices_of(clerk) == 0
    [event] = AuditEvent.objects.filter(action="otp.reset")
    assert (event.actor_id, event.object_type, event.object_id) == (administrator.pk, "accounts.user", str(clerk.pk))


def test_an_administrator_cannot_reset_their_own_second_factor(admin_client, administrator):
    response = admin_client.post(USERS, {"action": "reset_second_factor", "_selected_action": [administrator.pk]},
                                 follow=True)
    assert "不能重置自己的动态验证码" in response.content.decode()
    assert devices_of(administrator) == 2
    assert not AuditEvent.objects.filter(action="otp.reset").exists()


def test_after_a_reset_the_clerk_enrols_again_even_within_a_verified_session(client, admin_client, clerk):
    from django.test import Client

    enrol(clerk)
    clerk_client = Client()
    clerk_client.force_login(clerk)
    session = clerk_client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=clerk).persistent_id
    session.save()
    assert clerk_client.get("/clerk/").status_code == 200
    admin_client.post(USERS, {"action": "reset_second_factor", "_selected_action": [clerk.pk]})
    assert clerk_client.get("/clerk/")["Location"].startswith(reverse("accounts:otp_enrol"))


def test_django_otps_own_device_pages_are_not_in_the_admin(admin_client):
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_the_command_line_resets_a_second_factor_audited_without_an_actor(clerk, capsys):
    enrol(clerk)
    call_command("user", "otp-reset", "clerk")
    assert "reset" in capsys.readouterr().out
    assert devices_of(clerk) == 0
    [event] = AuditEvent.objects.filter(action="otp.reset")
    assert event.actor_id is None
    assert event.object_id == str(clerk.pk)


def test_the_command_line_refuses_an_unknown_user():
    with pytest.raises(CommandError) as refused:
        call_command("user", "otp-reset", "nobody")
    assert refused.value.returncode == 2
    assert "用户不存在" in str(refused.value)


# --- the demo ---------------------------------------------------------------------------------------------------------------


def test_a_demo_accounts_printed_code_passes_the_code_step(client, clerk, capsys):
    demo_device_install(user=clerk, secret=DEMO_TOTP_SECRETS["clerk"])
    call_command("user", "otp-code", "clerk")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6
    assert code.isdigit()
    client.force_login(clerk)
    assert client.post(CODE_STEP, {"code": code, "next": "/clerk/"})["Location"] == "/clerk/"


def test_the_code_is_printed_only_for_devices_the_demo_made(clerk):
    enrol(clerk)
    with pytest.raises(CommandError) as refused:
        call_command("user", "otp-code", "clerk")
    assert refused.value.returncode == 2
    assert "没有演示数据生成的验证器" in str(refused.value)


def test_the_code_is_never_printed_in_production(clerk, settings):
    demo_device_install(user=clerk, secret=DEMO_TOTP_SECRETS["clerk"])
    settings.PRODUCTION = True
    with pytest.raises(CommandError) as refused:
        call_command("user", "otp-code", "clerk")
    assert "生产环境" in str(refused.value)


@pytest.mark.parametrize("username", ["clerk", "clerk2", "approver", "admin"])
def test_every_demo_staff_account_has_a_published_secret_an_app_takes(username):
    from base64 import b32decode

    assert len(b32decode(DEMO_TOTP_SECRETS[username])) == 20  # 160 bits, what authenticator apps expect
