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
    # None for a document the platform issued on its own (the scheduler's deemed acceptance)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("上传文件")
        verbose_name_plural = _("上传文件")

    def __str__(self) -> str:
        return f"{self.original_name or self.storage_name} ({self.sha256[:12]})"


class DocumentCounter(models.Model):
    """The last 文号 allocated in one series and year: numbers follow one another without gaps or duplicates, the row
    locked (select_for_update) by whoever takes the next one until their transaction ends."""

    series = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文号计数")
        verbose_name_plural = _("文号计数")
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="one_counter_per_series_year")]

    def __str__(self) -> str:
        return f"{self.series}/{self.year}: {self.last}"


class IssuedDocument(models.Model):
    """A document the platform issued (POLICY §11 L-RECORD): a notice, a decision, a certificate, or the declarations
    of a submitted case version — generated once when the act happened, stored as a private file with its SHA-256,
    never rebuilt; a later document of the same kind supersedes it (`supersedes`), never overwrites it."""

    number = models.CharField(_("文号"), max_length=60, blank=True, default="")  # "" for the declarations
    kind = models.CharField(_("文书类型"), max_length=40, db_index=True)
    title = models.CharField(_("标题"), max_length=100)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="issued_documents")
    permit = models.ForeignKey("permits.Permit", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="issued_documents")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64, db_index=True)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")  # None: issued by the scheduler
    supersedes = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="superseded_by")
    case_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("已签发文书")
        verbose_name_plural = _("已签发文书")
        ordering = ["issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""), name="one_document_per_number"),
        ]
        indexes = [models.Index(fields=["case", "kind"]), models.Index(fields=["permit", "kind"])]

    def __str__(self) -> str:
        return f"{self.title} {self.number}".strip()

    @property
    def is_current(self) -> bool:
        """Not superseded by a later document of its kind."""
        try:
            return self.superseded_by is None
        except IssuedDocument.DoesNotExist:
            return True
