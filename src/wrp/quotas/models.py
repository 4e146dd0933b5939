"""Quotas of new permits (新办指标, POLICY §9): a unit declares its need for a year, the bureau grants a number, and
a ledger per unit and year keeps granted ≥ reserved + used — a database constraint, not just code."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class QuotaRequestState(models.TextChoices):
    PENDING = "pending", _("待审批")
    GRANTED = "granted", _("已下发")


class QuotaRequest(models.Model):
    """指标申报: the number a unit asks for a year, and why."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="quota_requests")
    year = models.PositiveSmallIntegerField(_("年度"))
    requested = models.PositiveIntegerField(_("申报数量"))
    reason = models.TextField(_("申报理由"))
    state = models.CharField(max_length=20, choices=QuotaRequestState.choices, default=QuotaRequestState.PENDING)
    granted = models.PositiveIntegerField(_("下发数量"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("指标申报")
        verbose_name_plural = _("指标申报")
        ordering = ["-requested_at"]


class QuotaLedger(models.Model):
    """One unit's quota for one year. Reservation takes a row lock; the constraint holds under any race."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="quota_ledgers")
    year = models.PositiveSmallIntegerField(_("年度"))
    granted = models.PositiveIntegerField(_("下发"), default=0)
    reserved = models.PositiveIntegerField(_("占用中"), default=0)
    used = models.PositiveIntegerField(_("已使用"), default=0)

    class Meta:
        verbose_name = _("指标台账")
        verbose_name_plural = _("指标台账")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_ledger_per_unit_year"),
            models.CheckConstraint(condition=Q(granted__gte=F("reserved") + F("used")), name="quota_not_oversubscribed"),
        ]

    @property
    def remaining(self) -> int:
        return self.granted - self.reserved - self.used
