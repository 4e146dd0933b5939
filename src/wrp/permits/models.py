"""Permits (工作居住证) and their lifecycle (DESIGN.md §Permit lifecycle, POLICY §9).

valid → suspended (the unit releases the holder) → valid (employer_change approved); valid/suspended → expired
(valid_until passed, daily sweep); any → revoked (bureau decision after an audit). Renewal adds 3 years. Every change
is a PermitEvent. The number is an opaque unique string; the public verification page is reached by the permit's
random `verify_token` (wrp.permits.verification).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PermitStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("挂起")
    EXPIRED = "expired", _("已失效")
    REVOKED = "revoked", _("已撤销")


def new_verify_token() -> str:
    """128 random bits, URL-safe (22 characters): the key of the public verification page, unrelated to any id."""
    return secrets.token_urlsafe(16)


class Permit(models.Model):
    number = models.CharField(_("证件编号"), max_length=24, unique=True)
    verify_token = models.CharField(max_length=43, unique=True, default=new_verify_token, editable=False)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="permits")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="permits")
    status = models.CharField(_("状态"), max_length=20, choices=PermitStatus.choices, default=PermitStatus.VALID)
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"))
    suspended_on = models.DateField(_("挂起日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作居住证")
        verbose_name_plural = _("工作居住证")
        ordering = ["-issued_on"]
        # The nightly sweep's expiries and the lists by status: valid permits past their date, in date order.
        indexes = [models.Index(fields=["status", "valid_until"], name="permit_status_valid_until")]

    def __str__(self) -> str:
        return self.number


class PermitChild(models.Model):
    """An accompanying child (随往子女) of a permit."""

    permit = models.ForeignKey(Permit, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(_("子女姓名"), max_length=100)
    case = models.CharField(_("子女情形"), max_length=30)
    added_on = models.DateField()


class PermitEvent(models.Model):
    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
