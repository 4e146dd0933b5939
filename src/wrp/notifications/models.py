"""Notices to people: one in-app `Notification` per person and event occurrence, its `Delivery` by e-mail or SMS, and
each person's `ContactPreference` (verified addresses, channels wanted, language).

A notification is written once per (recipient, key): the key names the occurrence ("case.approved:42",
"permit.renewal_window:12:60"), so a service or a reminder that runs twice tells nobody twice. A delivery keeps only
the masked address it went to, its status and its attempts: the delivery log, pruned after a retention period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Language(models.TextChoices):
    # Each language named in itself, as the language switch does.
    ZH = "zh", "中文"
    EN = "en", "English"


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("事件"), max_length=64)
    key = models.CharField(max_length=200)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_recipient_and_key"),
        )
        indexes = (models.Index(fields=["recipient", "read_at"], name="notification_unread"),)

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=120, help_text=_("已隐去部分字符"))
    status = models.CharField(_("状态"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel"),
        )

    def __str__(self) -> str:
        return f"{self.channel} {self.address} {self.status}"


class ContactPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField(_("电子邮箱"), blank=True)
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True)
    email_verified = models.BooleanField(_("邮箱已验证"), default=False)
    mobile_verified = models.BooleanField(_("手机已验证"), default=False)
    email_on = models.BooleanField(_("接收电子邮件通知"), default=True)
    sms_on = models.BooleanField(_("接收短信通知"), default=False)
    language = models.CharField(_("通知语言"), max_length=2, choices=Language.choices, default=Language.ZH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("联系方式与通知偏好")
        verbose_name_plural = _("联系方式与通知偏好")

    def __str__(self) -> str:
        return str(self.user)
