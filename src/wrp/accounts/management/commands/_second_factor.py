"""`wrp user otp-reset USERNAME` and `wrp user otp-code USERNAME` (wrp.accounts.devices): the operator's reset of a
staff member's second factor (audited `otp.reset`, no actor: the command line), and the current code of a demo account.
A refusal exits 2 with the reason in Chinese on standard error."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from wrp.accounts.devices import demo_current_code, second_factor_reset
from wrp.accounts.models import User
from wrp.core.errors import ServiceError


def second_factor_command(action: str, username: str) -> str:
    """What to print for `otp-code` (the code alone) or `otp-reset` (what was done)."""
    user = User.objects.filter(username=username).first()
    try:
        if user is None:
            raise ServiceError(_("用户不存在"), code="unknown_user")
        if action == "otp-code":
            return demo_current_code(user=user)
        removed = second_factor_reset(user=user, actor=None)
    except ServiceError as refused:
        with translation.override("zh-hans"):
            message = str(refused)
        raise CommandError(f"{username}: {message}", returncode=2) from None
    return f"second factor of {user.username} reset ({removed} devices removed): they bind an authenticator again"
