"""An import of a sheet of employees (ImportBatch) and the association invitations it creates (Invitation).

The sheet itself stays in the private storage under `file_name`; the batch keeps only its progress, the errors found
(row, column, code and message in both languages, never the cell's value) and what the import did. An invitation
carries what the unit knows of the employee (name, ID number encrypted with its keyed hash and masked form, contact,
start date, the self-check facts) until the employee, signed in with that ID number, confirms or declines it: only
their confirmation makes an association (never an association behind their back).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    VALIDATING = "validating", _("校验中")
    INVALID = "invalid", _("有错误")
    VALID = "valid", _("校验通过")
    IMPORTING = "importing", _("导入中")
    IMPORTED = "imported", _("已导入")
    FAILED = "failed", _("处理失败")


class ImportBatch(models.Model):
    public_id = models.CharField(max_length=24, unique=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    file_name = models.CharField(max_length=300)
    file_format = models.CharField(max_length=8)  # xlsx | csv
    size = models.PositiveIntegerField(default=0)
    state = models.CharField(_("状态"), max_length=20, choices=ImportState.choices, default=ImportState.VALIDATING)
    total_rows = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "field", "code", "zh", "en"}] (capped)
    notes = models.JSONField(default=list, blank=True)  # duplicates found against the records: [{"row", "code", …}]
    only_valid = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)  # {"invited": n, "skipped": n}

    class Meta:
        verbose_name = _("批量导入")
        verbose_name_plural = _("批量导入")
        indexes = [models.Index(fields=["unit", "-created_at"], name="import_unit_created")]

    def __str__(self) -> str:
        return self.public_id

    @property
    def percent(self) -> int:
        if self.state in (ImportState.INVALID, ImportState.VALID, ImportState.IMPORTED, ImportState.FAILED):
            return 100
        return int(self.processed * 100 / self.total_rows) if self.total_rows else 0

    @property
    def running(self) -> bool:
        return self.state in (ImportState.VALIDATING, ImportState.IMPORTING)


class InvitationState(models.TextChoices):
    PENDING = "pending", _("待员工确认")
    ACCEPTED = "accepted", _("已确认")
    DECLINED = "declined", _("已拒绝")
    CANCELLED = "cancelled", _("已撤销")


class Invitation(models.Model):
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="invitations")
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations")
    row_number = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    real_name = models.CharField(_("姓名"), max_length=100)
    id_number_encrypted = models.BinaryField(editable=False)
    id_number_hash = models.CharField(max_length=64, db_index=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, editable=False)
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    start_date = models.DateField(_("入职日期"))
    facts = models.JSONField(default=dict, blank=True)  # the applicant facts of assessment.md the sheet gave
    state = models.CharField(_("状态"), max_length=20, choices=InvitationState.choices, default=InvitationState.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    association = models.ForeignKey(
        "units.Association", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("关联邀请")
        verbose_name_plural = _("关联邀请")
        ordering = ("row_number", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "id_number_hash"],
                condition=Q(state="pending"),
                name="one_pending_invitation_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.real_name} ({self.id_number_masked})"
