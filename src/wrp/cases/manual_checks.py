"""Manual checks (人工核查): what only a person can verify, recorded by the window clerk on the case as a finding.

The rules leave to the reviewer what they cannot judge (POLICY §2 `manual_checks`). Two of these the window verifies
online and records on the case, so that the bureau and the file keep what was found:

- 学信网 (`xuexin`): the education credentials — a first application under talent condition 1 or 2 (POLICY §7: the
  degree and diploma verified online, 学信网 / 学位网) and the new certificate of an education change (info_change,
  subtype `education`);
- 首都城市功能定位 (`capital_function`): a unit opening or transferring its account fits the capital's functions,
  economic direction and industrial plans (POLICY §5).

A finding — 符合 (`pass`), 不符合 (`fail`) or 不适用 (`n_a`), with a note that says why when it is not `pass` — is a
`CaseEvent` (action `manual_check`, detail `{"check", "finding", "note"}`), recorded while the case is in review by
the clerk who may judge it (the workflow's `judge`). A later finding on the same check supersedes the earlier one,
which stays in the timeline. Recording findings is not required to forward or approve: the page reminds the clerk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.acts import locked
from wrp.cases.kinds import UNIT_KINDS
from wrp.cases.models import Case, CaseEvent
from wrp.cases.workflow import require, require_actor
from wrp.core.errors import Invalid
from wrp.policy.codes import ChangeSubtype, Service

ACTION = "manual_check"
NOTE_MAX = 1000
EDUCATION_CONDITIONS = frozenset({1, 2})  # POLICY §7: degree / diploma verified online


class ManualCheck(models.TextChoices):
    XUEXIN = "xuexin", _("学信网学历查验")
    CAPITAL_FUNCTION = "capital_function", _("首都城市功能定位")


class Finding(models.TextChoices):
    PASS = "pass", _("符合")
    FAIL = "fail", _("不符合")
    N_A = "n_a", _("不适用")


GUIDANCE = {  # what the clerk verifies, under the check's name
    ManualCheck.XUEXIN: _("在学信网（中国高等教育学生信息网）查验学历证书、在学位网查验学位证书，核对与所交材料是否一致。"),
    ManualCheck.CAPITAL_FUNCTION: _("单位是否符合首都城市功能定位和首都经济发展方向及产业规划要求。"),
}


def _talent_condition(case: Case) -> Any:
    return ((case.frozen_facts or {}).get("applicant") or {}).get("talent_condition")


def _education(case: Case) -> bool:
    if case.kind == Service.INFO_CHANGE:
        return case.subtype == ChangeSubtype.EDUCATION
    return case.kind == Service.INITIAL and _talent_condition(case) in EDUCATION_CONDITIONS


APPLIES: dict[ManualCheck, Callable[[Case], bool]] = {
    ManualCheck.XUEXIN: _education,
    ManualCheck.CAPITAL_FUNCTION: lambda case: case.kind in UNIT_KINDS,
}


def manual_checks_for(case: Case) -> tuple[ManualCheck, ...]:
    """The manual checks the window records on this case (by its kind and the facts frozen at submission)."""
    return tuple(check for check, applies in APPLIES.items() if applies(case))


def manual_check_findings(events: Iterable[CaseEvent]) -> dict[str, CaseEvent]:
    """The latest finding of each check among the case's events (oldest first, as the case page holds them)."""
    latest: dict[str, CaseEvent] = {}
    for event in events:
        if event.action == ACTION and isinstance(event.detail, dict) and event.detail.get("check"):
            latest[event.detail["check"]] = event
    return latest


def _problems(check: str, finding: str, note: str) -> Invalid | None:
    fields: dict[str, Any] = {}
    codes: dict[str, str] = {}
    if check not in ManualCheck.values:
        fields["check"], codes["check"] = _("未知的核查事项。"), "unknown_check"
    if finding not in Finding.values:
        fields["finding"], codes["finding"] = _("请选择核查结果：符合、不符合或不适用。"), "finding_required"
    elif finding != Finding.PASS and not note:
        fields["note"], codes["note"] = _("核查结果为“不符合”或“不适用”的，请写明情况。"), "note_required"
    if len(note) > NOTE_MAX:
        fields["note"], codes["note"] = _("说明不能超过 1000 字。"), "note_too_long"
    return Invalid(fields, codes=codes) if fields else None


def manual_check_record(*, case: Case, actor: Any, check: str, finding: str, note: str = "") -> CaseEvent:
    """Record the clerk's finding of one manual check on a case in review.

    Steps: the actor's role for `judge` (Forbidden) before reading the input; the input's shape (Invalid); lock the
    case and check `judge` on it as it is now (InvalidState once it left review); the check must apply to the case
    (Invalid); write the `manual_check` event and the audit event (the check and the finding, never the note).
    """
    require_actor(case, actor, "judge")
    note = str(note or "").strip()
    problem = _problems(check, finding, note)
    if problem is not None:
        raise problem
    with audited_atomic():
        current = locked(case)
        require(current, actor, "judge")
        if check not in manual_checks_for(current):
            raise Invalid({"check": _("本案不需要这项人工核查。")}, codes={"check": "check_not_applicable"})
        event = CaseEvent.objects.create(
            case=current, at=timezone.now(), action=ACTION, actor=actor, actor_role=getattr(actor, "role", "") or "",
            from_state=current.state, to_state=current.state,
            detail={"check": check, "finding": finding, "note": note},
        )
        audit_record(actor=actor, action=f"case.{ACTION}", obj=current, changes={"check": check, "finding": finding})
    return event
