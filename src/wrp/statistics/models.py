"""The statistics' own tables: the working-day calendar as data SQL can join, and the daily snapshots of figures."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkingDay(models.Model):
    """One calendar date and its working-day ordinal: the number of working days from the table's first date up to
    and including this one (POLICY §3, from `wrp.policy.workdays`). Working days in (a, b] = ordinal(b) − ordinal(a).
    `provisional` marks a year whose holiday notice was not loaded (weekends only were assumed)."""

    day = models.DateField(primary_key=True)
    ordinal = models.IntegerField()
    workday = models.BooleanField()
    provisional = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["day"]


class FigureSnapshot(models.Model):
    """The figures computed once for a day by the daily job (`wrp.statistics.precompute`)."""

    day = models.DateField(_("统计日期"), unique=True)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)  # how long the computation took
    figures = models.JSONField()

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)
