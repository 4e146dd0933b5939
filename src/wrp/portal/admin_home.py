"""The administrator's page: links into the admin site for what an administrator maintains — and nothing else
(administrators decide no cases)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.portal.common.access import role_required

LINKS = (
    ("admin:reference_wagerow_changelist", _("月平均工资表")),
    ("admin:reference_holidaynotice_changelist", _("节假日安排通知")),
    ("admin:appointments_slotsettings_changelist", _("预约时段设置")),
    ("admin:appointments_slot_changelist", _("预约时段")),
    ("admin:accounts_user_changelist", _("用户与角色")),
    ("admin:units_unit_changelist", _("单位基础信息")),
    ("admin:audit_auditevent_changelist", _("审计日志（只读）")),
)


@role_required(Role.ADMIN)
def admin_home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/admin_home.html", {"links": LINKS})


urlpatterns = [path("manage/", admin_home, name="admin_home")]
