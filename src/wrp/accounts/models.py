"""People who sign in, each with exactly one role (DESIGN.md §People)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    UNIT_HANDLER = "unit_handler", _("单位经办人")
    WINDOW_CLERK = "window_clerk", _("窗口工作人员")
    BUREAU_APPROVER = "bureau_approver", _("区人社局审批人")
    ADMIN = "admin", _("系统管理员")


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    real_name = models.CharField(_("姓名"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.real_name or self.username
