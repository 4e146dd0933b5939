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
        """Not superseded by a later document of its kind (known without a query when read with its `superseded`
        flag, as a case page's panel reads them, or with `superseded_by` joined)."""
        if "superseded" in self.__dict__:
            return not self.superseded
        try:
            return self.superseded_by is None
        except IssuedDocument.DoesNotExist:
            return True


class UploadCheckState(models.TextChoices):
    CHECKING = "checking", _("正在检查")
    ACCEPTED = "accepted", _("已接受")
    REFUSED = "refused", _("未接受")


class UploadCheck(models.Model):
    """One upload waiting in quarantine for the worker's check (`wrp.documents.uploads`), then its verdict.

    The raw bytes lie in the private storage as `quarantine_name` (a random name) until the check ends either way; the
    row stays as the verdict for the page and the API. `purpose` and `reference` say what the upload is for, in the
    words of the layer above (`case_material`, "<case pk>/<material code>"): documents knows nothing of cases.
    """

    purpose = models.CharField(max_length=40)
    reference = models.CharField(max_length=100, db_index=True)
    quarantine_name = models.CharField(max_length=100, blank=True)  # "" once the bytes are deleted
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)  # of the raw upload, before sanitising
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=UploadCheckState.choices, default=UploadCheckState.CHECKING)
    refusal_reason = models.CharField(max_length=20, blank=True)  # the contract's reason (cases-api.md)
    refusal_code = models.CharField(max_length=40, blank=True)  # the finer code: too_complex, malware, …
    # the stored file an accepted upload became; a reference that never keeps the file alive (SET_NULL)
    stored = models.ForeignKey(StoredFile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("上传检查")
        verbose_name_plural = _("上传检查")
        indexes = [models.Index(fields=["purpose", "reference"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.reference}: {self.state}"

    @property
    def finished(self) -> bool:
        return self.state != UploadCheckState.CHECKING
