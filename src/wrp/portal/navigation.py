"""The role's main navigation (UI.md §Frame: at most six items), for base.html."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch
from django.utils.translation import pgettext_lazy

from wrp.accounts.devices import second_factor_required
from wrp.accounts.models import Role
from wrp.core.urls import fixed_url

NAVIGATION: dict[str, tuple[tuple[str, Any], ...]] = {
    Role.APPLICANT: (
        ("portal:applicant_home", pgettext_lazy("navigation", "我的首页")),
        ("portal:applicant_profile", pgettext_lazy("navigation", "我的资料")),
        ("portal:applicant_cases", pgettext_lazy("navigation", "我的案件")),
        ("portal:applicant_permit", pgettext_lazy("navigation", "我的证件")),
        ("public:check", pgettext_lazy("navigation", "自助检查")),
    ),
    Role.UNIT_HANDLER: (
        ("portal:unit_home", pgettext_lazy("navigation", "单位首页")),
        ("portal:unit_cases", pgettext_lazy("navigation", "案件")),
        ("portal:unit_employees", pgettext_lazy("navigation", "员工")),
        ("portal:unit_radar", pgettext_lazy("navigation", "到期预警")),
        ("portal:unit_quota", pgettext_lazy("navigation", "指标")),
        ("portal:unit_documents", pgettext_lazy("navigation", "单位材料")),
    ),
    Role.WINDOW_CLERK: (
        ("portal:clerk_queue", pgettext_lazy("navigation", "待审队列")),
        ("portal:clerk_cases", pgettext_lazy("navigation", "全部案件")),
    ),
    Role.BUREAU_APPROVER: (
        ("portal:bureau_queue", pgettext_lazy("navigation", "待审批")),
        ("portal:bureau_quotas", pgettext_lazy("navigation", "指标下发")),
        ("portal:bureau_late_releases", pgettext_lazy("navigation", "逾期解除")),
        ("portal:bureau_penalties", pgettext_lazy("navigation", "处罚")),
        ("portal:bureau_audits", pgettext_lazy("navigation", "随机调查")),
        ("portal:bureau_rating_follow_ups", pgettext_lazy("navigation", "好差评")),
    ),
    Role.ADMIN: (("portal:admin_home", pgettext_lazy("navigation", "系统管理")),),
}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        for name, label in NAVIGATION.get(getattr(user, "role", ""), ()):
            try:
                url = fixed_url(name)
            except NoReverseMatch:  # a page not built yet
                continue
            items.append({"url": url, "label": label, "current": False})
    # The current item is the one whose address is the longest prefix of this page's (/me/ is home, /me/cases/ …).
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
    return {"main_navigation": items, "account_links": account_links(user)}


def account_links(user: Any) -> list[dict[str, Any]]:
    """The signed-in person's own account pages, beside the sign-out button: the password, and for staff who sign in
    with a second factor their recovery codes."""
    if user is None or not user.is_authenticated:
        return []
    links = [{"url": fixed_url("accounts:password_change"), "label": pgettext_lazy("navigation", "修改密码")}]
    if second_factor_required(user):
        links.append({"url": fixed_url("accounts:otp_recovery_codes"), "label": pgettext_lazy("navigation", "恢复码")})
    return links
