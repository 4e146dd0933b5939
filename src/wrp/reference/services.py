"""Saving reference data: checked by the policy's own rules, audited, visible to the platform within a minute."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.audit.services import audit_record
from wrp.core.errors import Forbidden, Invalid, Message
from wrp.policy.workdays import YearNotice, notice_from_table
from wrp.policy_runtime import policy_data_changed
from wrp.reference.models import HolidayNotice, WageRow


def _require_admin(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.ADMIN:
        raise Forbidden(_("只有系统管理员可以修改参考数据。"), code="administrators_only")


def wage_row_save(*, actor: Any, year: int, monthly: Decimal, published: date, source: str) -> WageRow:
    """Add or replace one year of the reference wage table (POLICY §4)."""
    _require_admin(actor)
    fields: dict[str, Message] = {}
    if not 2000 <= year <= 2200:
        fields["year"] = _("年度超出范围")
    if monthly <= 0:
        fields["monthly"] = _("月平均工资必须大于0")
    if published.year <= year:
        fields["published"] = _("公布日期应晚于该年度")
    if not source.strip():
        fields["source"] = _("请写明来源")
    if fields:
        raise Invalid(fields)
    with transaction.atomic():
        row, created = WageRow.objects.update_or_create(
            year=year, defaults={"monthly": monthly, "published": published, "source": source.strip()}
        )
        transaction.on_commit(policy_data_changed)
        audit_record(actor=actor, action="reference.wage_row_save", obj=row,
                     changes={"year": year, "monthly": str(monthly), "published": published.isoformat(),
                              "created": created})
    return row


def holiday_notice_check(*, year: int, source: str, published: date | None, holidays: list[date],
                         workdays: list[date]) -> YearNotice:
    """The notice as the policy reads it, or Invalid with the policy's reason."""
    try:
        return notice_from_table(year, {"source": source, "published": published, "holidays": holidays,
                                        "workdays": workdays})
    except ValueError as error:
        raise Invalid({"holidays": str(error)}, codes={"holidays": "invalid_notice"}) from None  # the policy's words


def holiday_notice_save(*, actor: Any, year: int, source: str, published: date | None, holidays: list[date],
                        workdays: list[date]) -> HolidayNotice:
    """Add or replace one year's State Council holiday notice."""
    _require_admin(actor)
    holiday_notice_check(year=year, source=source, published=published, holidays=holidays, workdays=workdays)
    with transaction.atomic():
        notice, created = HolidayNotice.objects.update_or_create(
            year=year,
            defaults={"source": source.strip(), "published": published,
                      "holidays": sorted(d.isoformat() for d in holidays),
                      "workdays": sorted(d.isoformat() for d in workdays)},
        )
        transaction.on_commit(policy_data_changed)
        audit_record(actor=actor, action="reference.holiday_notice_save", obj=notice,
                     changes={"year": year, "holidays": len(holidays), "workdays": len(workdays), "created": created})
    return notice
