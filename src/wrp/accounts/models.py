"""People who sign in, each with exactly one role (DESIGN.md §People), and their real-name data.

The resident ID number is personal data: it is stored encrypted (AES-GCM, key from settings), with a keyed hash
(HMAC-SHA256) for exact lookup, and shown masked (110105********002X) wherever the role does not need it whole.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    UNIT_HANDLER = "unit_handler", _("单位经办人")
    WINDOW_CLERK = "window_clerk", _("窗口工作人员")
    BUREAU_APPROVER = "bureau_approver", _("区人社局审批人")
    ADMIN = "admin", _("系统管理员")


STAFF_ROLES = frozenset({Role.WINDOW_CLERK, Role.BUREAU_APPROVER})


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    real_name = models.CharField(_("姓名"), max_length=100, blank=True)
    id_number_encrypted = models.BinaryField(_("身份证号（加密）"), null=True, blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Bumped by the services whenever the user is deactivated: part of the session hash, so a session from before
    # the deactivation stays dead after a reactivation (`user_update`).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = (
            # One person, one account: the same resident ID number (same keyed hash) on two users is refused.
            models.UniqueConstraint(fields=["id_number_hash"], condition=~Q(id_number_hash=""),
                                    name="one_user_per_id_number"),
        )

    def __str__(self) -> str:
        return self.real_name or self.username

    @classmethod
    def stand_in(cls, pk: int, role: str) -> User:
        """A user of this id and role, neither read nor saved: what a selector is given to build a role's statement
        once (wrp.core.prepared binds the real id at each call). Never someone to act as or to show."""
        return cls(pk=pk, role=role)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's session hash (an HMAC of the password hash) over the session generation too: a new password or a
        deactivation ends every session signed in before it, for good."""
        return salted_hmac(
            "wrp.accounts.models.User.get_session_auth_hash",
            f"{self.password}\x00{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class ApiToken(models.Model):
    """A bearer token for HR systems and scripts; only its hash is kept, the token is shown once. It works until it is
    revoked (or rotated: a new one issued, the old revoked) or until `expires_at` (API_TOKEN_DAYS after issue)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.prefix}…"


class ApplicantProfile(models.Model):
    """The applicant facts of contracts/assessment.md except `permit` (the system keeps that)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    facts = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("申请人资料")
        verbose_name_plural = _("申请人资料")

    def __str__(self) -> str:
        return str(self.user)
