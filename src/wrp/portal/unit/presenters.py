"""What the unit handler reads about a case on the shared case page: where it stands, when that needs saying; and the
addresses of a list's rows, reversed once a page."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wrp.cases.models import CaseState

STATE_NOTES = {
    CaseState.AWAITING_UNIT: _("员工已提交至单位。请核对材料，补齐后预约办理时段并提交。"),
}
PK_SLOT = 918_273_645  # a number no address of the portal holds otherwise


def url_of_each(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for the many `pk` of a list's rows (an `<int:pk>` address), reversed once."""
    prefix, suffix = reverse(name, args=[PK_SLOT]).split(str(PK_SLOT))
    return lambda pk: f"{prefix}{int(pk)}{suffix}"
