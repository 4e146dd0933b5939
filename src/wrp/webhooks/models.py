"""The event outbox and the webhooks that carry it to the units' and the bureau's systems.

`Event`: one row per emitted domain event, written in the emitting transaction (`wrp.webhooks.outbox`). Its `seq` —
the `?after=` cursor of `GET /api/v1/events` — is given after commit by the sequencer, in commit order, so a reader
that has seen seq N never later finds an event below N (ids are taken at insert, and a transaction holding a lower id
may commit after a higher one). `unit` is the unit that may see the event (null: the bureau only), `applicant` the
person it concerns; `data` holds ids and states only (never an ID number, an income or a child's details).

`Endpoint`: an HTTPS address of a unit (or, with no unit, of the bureau) that hears the chosen event types, signed
with its secrets (Standard Webhooks); `Delivery`: one event to one endpoint, retried with backoff, each try an
`Attempt` (the delivery log).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.accounts.crypto import decrypt, encrypt


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    seq = models.BigIntegerField(_("序号"), null=True, blank=True, unique=True)
    type = models.CharField(_("事件类型"), max_length=64)
    occurred_at = models.DateTimeField(_("发生时间"), default=timezone.now)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("对象"), max_length=80, blank=True)
    data = models.JSONField(_("内容"), default=dict)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        indexes = (
            models.Index(fields=["unit", "seq"], name="webhooks_event_unit_seq"),
            models.Index(fields=["applicant", "seq"], name="webhooks_event_applicant_seq"),
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="webhooks_event_unsequenced"),
        )

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"


class Sequencer(models.Model):
    """The one row (pk 1) whose lock orders the sequencer: `last_seq` given, `dispatched_seq` turned into deliveries."""

    last_seq = models.BigIntegerField(default=0)
    dispatched_seq = models.BigIntegerField(default=0)


class Endpoint(models.Model):
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("为空表示区人力社保局的接收地址"),
    )
    url = models.URLField(_("接收地址"), max_length=500)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    event_types = models.JSONField(_("事件类型"), default=list, help_text=_("为空表示全部事件"))
    enabled = models.BooleanField(_("已启用"), default=True)
    disabled_reason = models.CharField(_("停用原因"), max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("接收地址")
        verbose_name_plural = _("接收地址")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: Event) -> bool:
        if self.unit_id is not None and event.unit_id != self.unit_id:
            return False
        if event.occurred_at < self.created_at:
            return False
        return not self.event_types or event.type in self.event_types


SECRET_PURPOSE = b"webhook-secret"


class EndpointSecret(models.Model):
    """A signing secret, kept encrypted like the ID numbers (wrp.accounts.crypto): a copy of the database alone cannot
    forge the platform's signatures. `secret` reads and sets the plain value."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="secrets")
    sealed = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text=_("轮换后旧密钥在此之前仍参与签名"))

    class Meta:
        ordering = ("-created_at", "-id")

    @property
    def secret(self) -> str:
        return decrypt(self.sealed, purpose=SECRET_PURPOSE)

    @secret.setter
    def secret(self, value: str) -> None:
        self.sealed = encrypt(value, purpose=SECRET_PURPOSE)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SUCCEEDED = "succeeded", _("已送达")
    FAILED = "failed", _("失败")


class Delivery(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        constraints = (models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_endpoint_event"),)
        indexes = (models.Index(fields=["endpoint", "-created_at"], name="webhooks_delivery_log"),)


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    manual = models.BooleanField(default=False)

    class Meta:
        ordering = ("-at", "-id")


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` of an API write (wrp.api.idempotency): the first response, replayed to a retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of method, path and body")
    done = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_key_per_user"),)
        indexes = (models.Index(fields=["created_at"], name="webhooks_idem_created"),)
