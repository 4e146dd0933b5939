"""The second factor of staff: who needs it, enrolment, recovery codes, verification of a session, and reset.

Window clerks, bureau approvers and administrators confirm every session with a code from an authenticator app
(TOTP, RFC 6238, django-otp's `TOTPDevice`) or with one of ten single-use recovery codes (a `StaticDevice`), whenever
`STAFF_OTP_REQUIRED` is on. A staff user without a confirmed app enrols at their next sign-in: the secret is shown once
as a QR code and as text, and the first valid code confirms it. Wrong codes count against the device (django-otp's
throttling: after n failures in a row the next try waits 2ⁿ⁻¹ seconds) and each is an `otp.failed` event. Another
administrator can reset a user's devices (`otp.reset`), never their own. The demo's staff have devices with fixed,
published secrets, named `DEMO_DEVICE_NAME`, whose current code `wrp user otp-code` prints outside production.
"""

from __future__ import annotations

import re
from base64 import b32decode, b32encode
from typing import Any

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrp.accounts.models import Role, User
from wrp.audit.services import audit_record, audited_atomic
from wrp.core.errors import Forbidden, Invalid

SECOND_FACTOR_ROLES = frozenset({Role.WINDOW_CLERK, Role.BUREAU_APPROVER, Role.ADMIN})
RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
DEMO_DEVICE_NAME = "demo"  # only the demo data set makes devices of this name (with published secrets)
TOTP_CODE = re.compile(r"\d{6}")
WRONG_CODE = _("验证码不正确，请输入验证器应用当前显示的6位数字，或一个未用过的恢复码。")


# --- who, and where they stand ----------------------------------------------------------------------------------------


def second_factor_required(user: Any) -> bool:
    """A signed-in clerk, approver or administrator, while the platform asks staff for a second factor."""
    return bool(
        settings.STAFF_OTP_REQUIRED
        and getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) in SECOND_FACTOR_ROLES
    )


def session_verified(user: Any) -> bool:
    """The session was confirmed with a code (django-otp's OTPMiddleware installs `is_verified`)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def second_factor_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- enrolment --------------------------------------------------------------------------------------------------------


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator app being enrolled: one unconfirmed device per user, kept until confirmed or reset."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (markup only: no data: URL, no script)."""
    return segno.make(device.config_url, error="m", micro=False).svg_inline(scale=5, title="TOTP", dark="#000")


def second_factor_enrol(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirm an authenticator app with its first code; returns the new recovery codes (shown once).

    Steps: check the code against the pending device (a wrong one counts and is an `otp.failed` event); confirm the
    device; replace any recovery codes with ten new ones; record `otp.enrol`.
    """
    user = device.user
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        refused = _refusal(locked, _normalised(code)) if locked is not None else None
    if locked is None:
        raise Invalid({"code": _("请重新开始绑定验证器。")}, code="otp_no_pending_device")
    if refused is not None:
        _record_failure(user=user, method="enrol", device=locked)
        raise refused
    with audited_atomic():
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        codes = _recovery_codes_replace(user)
        audit_record(actor=user, action="otp.enrol", obj=user,
                     changes={"device": "totp", "recovery_codes": RECOVERY_CODE_COUNT})
    return codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes replace the old ones (shown once); recorded as `otp.enrol` of the recovery device."""
    with audited_atomic():
        codes = _recovery_codes_replace(user)
        audit_record(actor=user, action="otp.enrol", obj=user,
                     changes={"device": "recovery", "recovery_codes": RECOVERY_CODE_COUNT})
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# --- verification of a session ----------------------------------------------------------------------------------------


def second_factor_verify(*, user: User, code: str) -> Device:
    """The device that accepts `code` for this user: six digits go to the authenticator app, anything else to the
    recovery codes (a recovery code is used up). A refusal counts against that device and is an `otp.failed` event."""
    token = _normalised(code)
    method = "totp" if TOTP_CODE.fullmatch(token) else "recovery"
    model = TOTPDevice if method == "totp" else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        _record_failure(user=user, method=method, device=None)
        raise Invalid({"code": WRONG_CODE}, code="otp_invalid")
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=device.pk)
        refused = _refusal(locked, token)
    if refused is not None:
        _record_failure(user=user, method=method, device=locked)
        raise refused
    return locked


def _refusal(device: Any, token: str) -> Invalid | None:
    """None when the device accepts the token; otherwise why not (throttled, or a wrong code, which is counted)."""
    allowed, _why = device.verify_is_allowed()
    if not allowed:
        return Invalid({"code": _("验证码错误次数过多，请稍候再试。")}, code="otp_throttled")
    if not device.verify_token(token):
        return Invalid({"code": WRONG_CODE}, code="otp_invalid")
    return None


def _record_failure(*, user: User, method: str, device: Any) -> None:
    failures = device.throttling_failure_count if device is not None else 0
    with audited_atomic():
        audit_record(actor=user, action="otp.failed", obj=user, outcome="refused",
                     changes={"method": method, "failures": failures})


def _normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def session_verify(request: Any, device: Device) -> None:
    """Mark the session as confirmed by `device`, under a new session key (the privilege changed)."""
    django_otp.login(request, device)
    request.session.cycle_key()


# --- reset by another administrator -----------------------------------------------------------------------------------


def second_factor_reset(*, user: User, actor: User | None) -> int:
    """Delete a user's authenticator and recovery codes so they enrol again at their next sign-in; returns how many
    devices went. An administrator never resets their own (`actor` None: the operator's command line)."""
    if actor is not None and actor.pk == user.pk:
        raise Forbidden(_("不能重置自己的动态验证码，请由另一位系统管理员操作。"), code="otp_reset_self")
    with audited_atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            count, _by_model = model.objects.filter(user=user).delete()
            removed += count
        audit_record(actor=actor, action="otp.reset", obj=user, changes={"devices": "deleted"})
    return removed


# --- the demo ---------------------------------------------------------------------------------------------------------


def demo_device_install(*, user: User, secret: str) -> TOTPDevice:
    """A confirmed authenticator with a published base32 `secret`, for a demo account (the demo data set only)."""
    TOTPDevice.objects.filter(user=user).delete()
    key = b32decode(secret.replace(" ", "").upper()).hex()
    return TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=key, confirmed=True)


def demo_current_code(*, user: User) -> str:
    """The current code of a demo account's authenticator; refused in production and for any device the demo did not
    make (a real secret never leaves the database this way)."""
    if getattr(settings, "PRODUCTION", False):
        raise Forbidden(_("生产环境不提供演示验证码。"), code="otp_demo_production")
    device = TOTPDevice.objects.filter(user=user, confirmed=True, name=DEMO_DEVICE_NAME).first()
    if device is None:
        raise Forbidden(_("该用户没有演示数据生成的验证器。"), code="otp_not_demo_device")
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"

