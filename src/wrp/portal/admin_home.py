"""The administrator's page: links into the admin site for what an administrator maintains — and nothing else
(administrators decide no cases)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from wrp.accounts.models import Role
from wrp.portal.access import role_required

LINKS = (
    ("admin:reference_wagerow_changelist", "月平均工资表", "Reference wage table"),
    ("admin:reference_holidaynotice_changelist", "节假日安排通知", "Holiday notices"),
    ("admin:appointments_slotsettings_changelist", "预约时段设置", "Appointment slot settings"),
    ("admin:appointments_slot_changelist", "预约时段", "Appointment slots"),
    ("admin:accounts_user_changelist", "用户与角色", "Users and roles"),
    ("admin:units_unit_changelist", "单位基础信息", "Units' master data"),
    ("admin:audit_auditevent_changelist", "审计日志（只读）", "Audit trail (read-only)"),
)


@role_required(Role.ADMIN)
def admin_home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/admin_home.html", {"links": LINKS})


urlpatterns = [path("manage/", admin_home, name="admin_home")]
