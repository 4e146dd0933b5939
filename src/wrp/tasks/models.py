"""One `ScheduledRun` per periodic job and period: the unique row that makes "once per day" hold with several
schedulers, and the record of the run's attempts, result and last error that the administrator reads."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.tasks.registry import day_of


class RunStatus(models.TextChoices):
    PENDING = "pending", _("待执行")
    RUNNING = "running", _("执行中")
    RETRYING = "retrying", _("等待重试")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class ScheduledRun(models.Model):
    job = models.CharField(_("任务"), max_length=64)
    period = models.CharField(_("周期"), max_length=16, help_text=_("日期，或日期与小时"))
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    task_id = models.CharField(_("队列任务编号"), max_length=64, blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")
        ordering = ("-period", "job")
        constraints = (models.UniqueConstraint(fields=["job", "period"], name="one_run_per_job_and_period"),)
        indexes = (models.Index(fields=["status", "started_at"], name="scheduled_run_status"),)

    def __str__(self) -> str:
        return f"{self.job} {self.period}"

    @property
    def day(self) -> date:
        """The day the run is for: its job's `today`."""
        return day_of(self.period)
