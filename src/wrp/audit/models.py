"""The audit trail: append-only, hash-chained events of every state change.

Each event's `hash` covers its own content and the previous event's hash, so an edited, inserted or deleted row
breaks the chain at that point; the chain's order is `seq`. An event is inserted without them (no lock on the way)
and the chainer (wrp.audit.chainer) sets `seq`, `prev_hash` and `hash` once, a moment after its transaction commits;
`wrp audit verify` finds the first broken link. The hash is an HMAC under the audit key (wrp.audit.keys), which is not
in the database: rows recomputed without it do not verify. Events written before the key existed keep their plain
SHA-256 (`scheme` empty) and stay verifiable; every later event is keyed. Events carry who (user and role), what
(action, object, outcome), when, the request id, and which fields changed — never raw personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    KEYED = 1  # HMAC-SHA256 with the chain key derived from AUDIT_KEY

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("角色"), max_length=20, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=40)
    object_id = models.CharField(_("对象"), max_length=64, db_index=True)
    outcome = models.CharField(_("结果"), max_length=20, default="ok")
    request_id = models.CharField(_("请求编号"), max_length=32, blank=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    # The chain, empty until the chainer sets it (once: the triggers refuse any other change). NULL, not "", means
    # "not yet chained" (the unique hash and seq allow many NULLs).
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # How `hash` was made: empty for the unkeyed SHA-256 of events written before issue 11 (they stay as they were:
    # the triggers forbid rewriting them), KEYED for HMAC-SHA256 under the audit key. Covered by the keyed hash.
    scheme = models.PositiveSmallIntegerField(null=True, blank=True, default=1)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["id"]
        indexes = [  # the chainer's worklist: small, as only events of the last moments are in it
            models.Index(fields=["id"], condition=models.Q(hash__isnull=True), name="audit_event_unchained"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """One row holding the hash and count (= seq) of the newest chained event: the chainer locks it, so the chain stays
    a single line; nothing else takes that lock."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)
