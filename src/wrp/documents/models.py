"""Stored files: private PDFs under random names, with their SHA-256, never served by URL.

An upload is checked by content (a real, unencrypted, undamaged PDF of at most 20 MB and 200 pages), parsed in a
separate process with time and memory limits, and stripped of active content before it is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    storage_name = models.CharField(max_length=100, unique=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    removed = models.JSONField(default=list, blank=True, help_text=_("清除的活动内容（脚本、动作、附件）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("上传文件")
        verbose_name_plural = _("上传文件")

    def __str__(self) -> str:
        return f"{self.original_name or self.storage_name} ({self.sha256[:12]})"
