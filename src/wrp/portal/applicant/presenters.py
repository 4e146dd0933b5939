"""What the applicant reads about a case on the shared case page: where it stands now, in their words."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wrp.cases.models import CaseState

STATE_NOTES = {
    CaseState.DRAFT: _("草稿：请逐项上传材料，确认无误后提交给单位。"),
    CaseState.AWAITING_UNIT: _(
        "已提交给单位，等待单位经办人审核并预约办理时段。单位提交到窗口之前，您仍可更换材料或撤回。"
    ),
    CaseState.SUBMITTED: _("单位已提交到窗口，等待窗口工作人员审核。"),
    CaseState.IN_REVIEW: _("窗口工作人员正在审核。"),
    CaseState.RETURNED: _("案件被退回补正，计时暂停。请按下方的补正告知重新上传所列材料，再由单位重新提交。"),
    CaseState.PENDING_APPROVAL: _("窗口审核已通过，等待区人力社保局审批。"),
    CaseState.APPROVED: _("已批准。"),
    CaseState.REJECTED: _("未通过，理由见上方“决定理由”。"),
    CaseState.WITHDRAWN: _("案件已撤回。"),
}
