"""Administrators extend the wage table and the holiday calendar; the platform reads their rows, audited."""

from datetime import date
from decimal import Decimal

import pytest

from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid
from wrp.policy_runtime import policy_calendar, policy_wages
from wrp.reference.services import holiday_notice_save, wage_row_save

pytestmark = pytest.mark.django_db

NOTICE_2027 = {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知（示例）",
    "published": date(2026, 11, 20),
    "holidays": [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 8), date(2027, 2, 9)],
    "workdays": [date(2027, 2, 6)],
}


def test_a_holiday_notice_for_a_new_year_makes_its_dates_exact(admin, django_capture_on_commit_callbacks):
    assert policy_calendar().deadline(date(2026, 12, 30), 3).provisional
    with django_capture_on_commit_callbacks(execute=True):
        holiday_notice_save(actor=admin, **NOTICE_2027)
    calendar = policy_calendar()
    assert calendar.is_workday(date(2027, 2, 6))
    assert not calendar.is_workday(date(2027, 1, 1))
    due = calendar.deadline(date(2026, 12, 30), 3)
    assert (due.date, due.provisional) == (date(2027, 1, 5), False)  # 12-31, 01-04, 01-05
    assert AuditEvent.objects.filter(action="reference.holiday_notice_save").count() == 1


def test_a_notice_listing_a_weekday_as_a_makeup_working_day_is_refused(admin):
    with pytest.raises(Invalid) as refused:
        holiday_notice_save(actor=admin, **{**NOTICE_2027, "workdays": [date(2027, 2, 10)]})
    assert "weekday" in refused.value.fields["holidays"]


def test_only_administrators_edit_reference_data(clerk):
    with pytest.raises(Forbidden):
        holiday_notice_save(actor=clerk, **NOTICE_2027)
    with pytest.raises(Forbidden):
        wage_row_save(actor=clerk, year=2026, monthly=Decimal("12500"), published=date(2027, 7, 1), source="x")


def test_a_new_wage_year_is_used_from_its_publication_date(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wage_row_save(actor=admin, year=2026, monthly=Decimal("12500"), published=date(2027, 7, 1),
                      source="北京市人社局 2027年通知（示例）")
    wages = policy_wages()
    assert wages.reference(date(2027, 6, 30)).year == 2025
    assert wages.reference(date(2027, 7, 1)).monthly == Decimal("12500")


def test_a_wage_published_in_its_own_year_is_refused(admin):
    with pytest.raises(Invalid) as refused:
        wage_row_save(actor=admin, year=2026, monthly=Decimal("12500"), published=date(2026, 7, 1), source="x")
    assert list(refused.value.fields) == ["published"]
