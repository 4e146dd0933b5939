"""Employers (用人单位): the registry keyed by the unified social credit code, their handlers, penalties and the
association between a unit and its employees (关联).

A unit's facts are those the policy reads (contracts/assessment.md `unit`); its account status and district, quota
and penalties are kept by the system. Handlers are users with the `unit_handler` role linked to the unit; several
per unit. An applicant asks a unit to associate by the unit's association code (单位关联码), which a handler can
regenerate at any time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wrp.policy.codes import District, UnitKind

KIND_CHOICES = [(kind.value, kind.value) for kind in UnitKind]
DISTRICT_CHOICES = [(district.value, district.value) for district in District]


class AccountStatus(models.TextChoices):
    NONE = "none", _("未开户")
    OPEN = "open", _("已开户")
    TRANSFERRED = "transferred", _("已转出")
    CLOSED = "closed", _("已注销")


class Unit(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("单位类型"), max_length=30, choices=KIND_CHOICES)
    legal_person = models.BooleanField(_("具有法人资格"), default=True)
    registered_district = models.CharField(_("工商注册地"), max_length=20, choices=DISTRICT_CHOICES)
    tax_district = models.CharField(_("纳税地"), max_length=20, choices=DISTRICT_CHOICES)
    tax_paid_since = models.DateField(_("在朝阳区纳税起始日"), null=True, blank=True)
    registered_capital = models.DecimalField(_("注册资本（元）"), max_digits=18, decimal_places=2, default=0)
    annual_tax = models.JSONField(_("各年度纳税额（元）"), default=dict, blank=True)
    qualifications = models.JSONField(_("单位资质"), default=list, blank=True)
    account_status = models.CharField(_("开户状态"), max_length=20, choices=AccountStatus.choices,
                                      default=AccountStatus.NONE)
    account_district = models.CharField(_("开户所在区"), max_length=20, choices=DISTRICT_CHOICES, blank=True)
    association_code = models.CharField(_("单位关联码"), max_length=16, unique=True)
    handlers = models.ManyToManyField(settings.AUTH_USER_MODEL, through="UnitHandler", related_name="units")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("用人单位")
        verbose_name_plural = _("用人单位")
        ordering = ["name"]
        # The bureau's quota ledger lists units by name, a page at a time (keyset on (name, id)).
        indexes = [models.Index(fields=["name", "id"], name="unit_name_id")]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"


class UnitHandler(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "user"], name="unit_handler_once")]


class PenaltyKind(models.TextChoices):
    QUOTA_FROZEN = "quota_frozen", _("冻结指标")
    SERVICE_TERMINATED = "service_terminated", _("终止服务")
    BLACKLISTED = "blacklisted", _("纳入黑名单")


class Penalty(models.Model):
    """A recorded, reasoned staff decision (G4.注意事项.6); lifting it is recorded as well."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="penalties")
    kind = models.CharField(_("处罚"), max_length=30, choices=PenaltyKind.choices)
    reason = models.TextField(_("理由"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("决定时间"))
    active = models.BooleanField(default=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("处罚")
        verbose_name_plural = _("处罚")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind"], condition=Q(active=True), name="one_active_penalty_kind")
        ]


class AssociationState(models.TextChoices):
    REQUESTED = "requested", _("待单位确认")
    ACTIVE = "active", _("已关联")
    REFUSED = "refused", _("已拒绝")
    RELEASED = "released", _("已解除")


class Association(models.Model):
    """An applicant's link to a unit (系统关联): requested by the applicant, accepted or refused by a handler,
    released by a handler when the employee leaves (解除员工关联, within 60 days of leaving)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="associations")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="associations")
    state = models.CharField(_("状态"), max_length=20, choices=AssociationState.choices,
                             default=AssociationState.REQUESTED)
    requested_at = models.DateTimeField(_("申请时间"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期解除"), default=False)

    class Meta:
        verbose_name = _("员工关联")
        verbose_name_plural = _("员工关联")
        ordering = ["-requested_at"]
        # A unit's employees page: those in post by start date a page at a time (keyset on (decided_at, id)), the
        # open requests of the unit (the same index's (unit, state) prefix), the latest released. The bureau's late
        # releases, newest first, and their count: the few late rows only (a partial index), not every association.
        indexes = [
            models.Index(fields=["unit", "state", "decided_at", "id"], name="association_unit_state_since"),
            models.Index(fields=["unit", "state", "released_at", "id"], name="association_unit_released"),
            models.Index(fields=["-released_at", "id"], condition=Q(late=True), name="association_late_released"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["applicant"], condition=Q(state="active"), name="one_active_association"),
            models.UniqueConstraint(
                fields=["unit", "applicant"], condition=Q(state__in=["requested", "active"]),
                name="one_open_association_per_unit",
            ),
        ]


class Audit(models.Model):
    """A random audit of real employment (G4.注意事项.6) on a unit or a permit, with its findings."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="audits")
    permit = models.ForeignKey("permits.Permit", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="audits")
    findings = models.TextField(_("调查结果"))
    employment_confirmed = models.BooleanField(_("聘用关系真实"), default=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("随机调查")
        verbose_name_plural = _("随机调查")


class UnitDocument(models.Model):
    """A unit's standing document (系统附件管理, G2.注意事项.4): the current PDF of one unit material — licence, tax
    certificates, social insurance record — kept up to date in one place and copied into the unit's cases. One row
    per unit and code; a new upload replaces the file (the audit chain keeps each version's SHA-256)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(_("材料"), max_length=40)
    file = models.ForeignKey("documents.StoredFile", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("单位材料")
        verbose_name_plural = _("单位材料")
        ordering = ["unit", "code"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="one_unit_document_per_code")]
