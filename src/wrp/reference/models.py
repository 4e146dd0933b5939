"""Reference data an administrator maintains in the admin site: wage rows and holiday notices.

They extend the data shipped with `wrp.policy` (data/wages.toml, chinese-calendar + data/calendar.toml): a row here
adds a new year or replaces a shipped one. The web server and the API read them (`wrp.policy_runtime`); every change
is audited.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WageRow(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    monthly = models.DecimalField(_("全口径城镇单位就业人员月平均工资（元）"), max_digits=10, decimal_places=2)
    published = models.DateField(_("公布日期（自该日起可用）"))
    source = models.CharField(_("来源"), max_length=300)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("月平均工资")
        verbose_name_plural = _("月平均工资表")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.monthly}"


class HolidayNotice(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(_("通知名称及文号"), max_length=300)
    published = models.DateField(_("发布日期"), null=True, blank=True)
    holidays = models.JSONField(_("放假日期"), default=list)  # ISO dates
    workdays = models.JSONField(_("调休上班日期（周末）"), default=list)  # ISO dates
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("节假日安排通知")
        verbose_name_plural = _("节假日安排通知")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.source}"
