"""What the unit handler reads about a case on the shared case page: where it stands, when that needs saying."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from wrp.cases.models import CaseState

STATE_NOTES = {
    CaseState.AWAITING_UNIT: _("员工已提交至单位。请核对材料，补齐后预约办理时段并提交。"),
}
