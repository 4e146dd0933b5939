"""Every transition of a case is one service function here (DESIGN.md §The case state machine).

Each checks the actor's role and relation to the case, locks the case row (two people acting at once never both
succeed), runs in one transaction, writes a CaseEvent and an audit event, and raises `wrp.core.errors` on refusal —
before writing anything, or inside the transaction that is then rolled back. Effects of approval are in `effects.py`,
materials and verdicts in `materials.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone

from wrp.accounts.models import Role
from wrp.appointments.selectors import slot_bookable
from wrp.appointments.services import booking_cancel, booking_create
from wrp.audit.services import audit_record, audited_atomic
from wrp.cases import clock
from wrp.cases.effects import apply_effects
from wrp.cases.facts import case_evaluate, frozen_assessment, is_personal
from wrp.cases.models import Case, CaseEvent, CaseMaterial, CaseSnapshot, CaseState, CorrectionNotice, MaterialStatus
from wrp.cases.selectors import is_case_applicant, is_case_handler
from wrp.core.errors import Forbidden, Ineligible, Invalid, InvalidState, MaterialsMissing
from wrp.policy.codes import UNIT_SERVICES, ChangeSubtype, Decision, Service
from wrp.policy.items import ITEMS
from wrp.quotas.services import quota_lock, quota_release, quota_reserve
from wrp.units.associations import active_association
from wrp.units.models import Unit

PUBLIC_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
QUOTA_KINDS = frozenset({Service.INITIAL, Service.EMPLOYER_CHANGE})
BUREAU_KINDS = frozenset({Service.INITIAL, Service.RENEWAL})
WITHDRAWABLE = frozenset({CaseState.DRAFT, CaseState.AWAITING_UNIT, CaseState.SUBMITTED, CaseState.RETURNED})


def _new_public_id() -> str:
    stamp = timezone.localdate().strftime("%y%m")
    return f"C{stamp}" + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(8))


def _locked(case: Case) -> Case:
    """Re-read the case under a row lock: the state seen by the caller may be stale."""
    return Case.objects.select_for_update(of=("self",)).select_related("unit", "applicant").get(pk=case.pk)


def _event(case: Case, *, actor: Any, action: str, from_state: str, detail: dict[str, Any] | None = None) -> None:
    CaseEvent.objects.create(
        case=case, at=timezone.now(), action=action, actor=actor, actor_role=getattr(actor, "role", ""),
        from_state=from_state, to_state=case.state, detail=detail or {},
    )
    audit_record(actor=actor, action=f"case.{action}", obj=case, changes={"state": [from_state, case.state]})


def _expect(case: Case, *states: str) -> None:
    if case.state not in states:
        raise InvalidState(case.state)


def case_open(*, actor: Any, kind: str, unit: Unit, applicant: Any = None, subtype: str | None = None,
              answers: dict[str, Any] | None = None) -> Case:
    """Open a draft. A handler opens any kind for their unit (personal kinds for an actively associated applicant);
    an applicant opens a personal kind for the unit they are actively associated with."""
    fields: dict[str, str] = {}
    if kind not in set(Service):
        raise Invalid({"kind": "未知事项 / unknown kind"})
    if kind == Service.INFO_CHANGE and subtype not in set(ChangeSubtype):
        fields["subtype"] = "请选择变更类型 / choose address, name_or_hukou or education"
    if kind != Service.INFO_CHANGE and subtype:
        fields["subtype"] = "仅基础信息变更有变更类型 / only info_change takes a subtype"
    personal = kind not in UNIT_SERVICES
    if actor.role == Role.UNIT_HANDLER:
        if not unit.handlers.filter(pk=actor.pk).exists():
            fields["unit"] = "不是您经办的单位 / not a unit you handle"
        if personal and applicant is None:
            fields["applicant"] = "请选择申请人 / choose the applicant"
        elif personal and active_association(applicant, unit) is None:
            fields["applicant"] = "该申请人未与本单位关联 / the applicant is not associated with this unit"
        elif not personal and applicant is not None:
            fields["applicant"] = "单位事项没有申请人 / unit items have no applicant"
    elif actor.role == Role.APPLICANT:
        if not personal:
            raise Forbidden("applicants file personal items only")
        if applicant is not None and applicant.pk != actor.pk:
            fields["applicant"] = "只能为本人申请 / only for yourself"
        applicant = actor
        if active_association(actor, unit) is None:
            fields["unit"] = "您未与该单位关联 / you are not associated with this unit"
    else:
        raise Forbidden("only applicants and unit handlers open cases")
    fields.update(_answer_problems(kind, subtype, answers or {}))
    if fields:
        raise Invalid(fields)
    with audited_atomic():
        case = Case.objects.create(
            public_id=_new_public_id(), kind=kind, subtype=subtype or "", unit=unit,
            applicant=applicant if personal else None, created_by=actor, answers=answers or {},
        )
        _event(case, actor=actor, action="open", from_state="")
    return case


ANSWERS_BY_KIND: dict[str, frozenset[str]] = {
    "initial": frozenset({"children", "housing_loan"}),  # housing_loan: 附件3 details, for the document only
    "children_change": frozenset({"children"}),
    "info_change:address": frozenset({"housing", "housing_loan"}),
    "info_change:name_or_hukou": frozenset({"real_name", "hukou"}),
    "info_change:education": frozenset({"degree"}),
}


def _answer_problems(kind: str, subtype: str | None, answers: dict[str, Any]) -> dict[str, str]:
    """The case's own answers carry only what its kind uses; children are [{"name", "case"}]. (The values themselves
    are checked by the policy at submission, as facts.)"""
    allowed = ANSWERS_BY_KIND.get(f"{kind}:{subtype}" if kind == Service.INFO_CHANGE else kind, frozenset())
    problems = {
        f"answers.{key}": "此类案件不填写该项 / not an answer of this kind of case" for key in answers if key not in allowed
    }
    children = answers.get("children")
    if "children" in allowed and children is not None:
        if not isinstance(children, list):
            problems["answers.children"] = "应为子女列表 / must be a list of children"
        else:
            for index, child in enumerate(children):
                if not isinstance(child, dict) or set(child) - {"name", "case"}:
                    problems[f"answers.children.{index}"] = "应为 {name, case} / must be {name, case}"
    return problems


def case_update_answers(*, case: Case, actor: Any, answers: dict[str, Any]) -> Case:
    """Change the case's own answers while it can still be edited by its filers."""
    if not (is_case_handler(actor, case) or is_case_applicant(actor, case)):
        raise Forbidden("not a filer of this case")
    with audited_atomic():
        case = _locked(case)
        _expect(case, CaseState.DRAFT, CaseState.AWAITING_UNIT, CaseState.RETURNED)
        problems = _answer_problems(case.kind, case.subtype, answers)
        if problems:
            raise Invalid(problems)
        case.answers = answers
        case.save(update_fields=["answers", "updated_at"])
        audit_record(actor=actor, action="case.answers", obj=case, changes={"answers": "changed"})
    return case


def _missing_materials(case: Case, checklist: Iterable[str]) -> list[str]:
    present = set(
        CaseMaterial.objects.filter(case=case, file__isnull=False)
        .exclude(status=MaterialStatus.REJECTED)
        .values_list("code", flat=True)
    )
    return [code for code in checklist if code not in present]


def _freeze(case: Case, *, facts: dict[str, Any], evaluation: Any, today: date) -> None:
    case.frozen_facts = facts
    case.assessment = frozen_assessment(evaluation)
    case.version += 1
    for code in evaluation.materials:
        CaseMaterial.objects.get_or_create(case=case, code=code)
    CaseMaterial.objects.filter(case=case).exclude(code__in=evaluation.materials).update(required=False)
    CaseMaterial.objects.filter(case=case, code__in=evaluation.materials).update(required=True)
    hashes = {
        material.code: material.file.sha256 if material.file_id else None
        for material in CaseMaterial.objects.filter(case=case).select_related("file")
    }
    CaseSnapshot.objects.create(case=case, version=case.version, at=timezone.now(), facts=facts, materials=hashes)


def case_submit(*, case: Case, actor: Any, slot: str | None = None) -> Case:
    """Submit. The applicant passes a personal case to the unit (draft → awaiting_unit); the unit's handler submits
    it to the district (→ submitted).

    The handler's submission, in the contract's order: every required material uploaded; for personal items a free
    slot; then, holding the lock on the unit's quota row, the assessment of today's facts (ineligible → refused); then
    freeze facts and assessment, start the clock, book the slot and reserve one quota unit — all or nothing.
    """
    today = timezone.localdate()
    if is_case_applicant(actor, case):
        with audited_atomic():
            case = _locked(case)
            _expect(case, CaseState.DRAFT)
            if active_association(actor, case.unit) is None:
                raise Invalid({"unit": "您未与该单位关联 / you are not associated with this unit"})
            previous, case.state = case.state, CaseState.AWAITING_UNIT
            case.save(update_fields=["state", "updated_at"])
            _event(case, actor=actor, action="submit_to_unit", from_state=previous)
        return case
    if not is_case_handler(actor, case):
        raise Forbidden("only the case's applicant or the unit's handlers submit")
    with audited_atomic():
        case = _locked(case)
        _expect(case, CaseState.DRAFT, CaseState.AWAITING_UNIT)
        _facts, preview = case_evaluate(case, as_of=today)
        missing = _missing_materials(case, preview.materials)
        if missing:
            raise MaterialsMissing(missing)
        personal = is_personal(case)
        if personal and not slot:
            raise Invalid({"slot": "请预约办理时段 / book an appointment slot"})
        if personal:
            slot_bookable(slot or "")
        ledger = None
        quota_remaining = None
        if case.kind in QUOTA_KINDS:
            ledger = quota_lock(unit=case.unit, year=today.year)
            quota_remaining = ledger.remaining
        facts, evaluation = case_evaluate(case, as_of=today, quota_remaining=quota_remaining)
        if evaluation.decision == Decision.INELIGIBLE:
            raise Ineligible(frozen_assessment(evaluation))
        missing = _missing_materials(case, evaluation.materials)
        if missing:
            raise MaterialsMissing(missing)
        if personal:
            booking_create(case=case, slot_public_id=slot or "", actor=actor)
        if ledger is not None:
            quota_reserve(ledger=ledger, actor=actor)
            case.quota_year = today.year
        _freeze(case, facts=facts, evaluation=evaluation, today=today)
        clock.start(case, on=today, time_limit=ITEMS[Service(case.kind)].time_limit)
        previous, case.state = case.state, CaseState.SUBMITTED
        case.save()
        _event(case, actor=actor, action="submit", from_state=previous,
               detail={"decision": evaluation.decision.value, "version": case.version})
    return case


def _require_clerk(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.WINDOW_CLERK:
        raise Forbidden("window clerks only")


def case_start_review(*, case: Case, actor: Any) -> Case:
    """The window clerk picks the case up (submitted → in_review)."""
    _require_clerk(actor)
    with audited_atomic():
        case = _locked(case)
        _expect(case, CaseState.SUBMITTED)
        previous, case.state, case.reviewed_by = case.state, CaseState.IN_REVIEW, actor
        case.save(update_fields=["state", "reviewed_by", "updated_at"])
        _event(case, actor=actor, action="start_review", from_state=previous)
    return case


def case_return_for_correction(*, case: Case, actor: Any, problems: list[dict[str, Any]]) -> Case:
    """补正: one consolidated notice (一次性告知) with every problem — those given, and every material already judged
    not acceptable; the named materials must be uploaded again; the clock stops until resubmission."""
    _require_clerk(actor)
    with audited_atomic():
        case = _locked(case)
        _expect(case, CaseState.IN_REVIEW)
        codes = set(CaseMaterial.objects.filter(case=case).values_list("code", flat=True))
        fields: dict[str, str] = {}
        cleaned: list[dict[str, Any]] = []
        for index, problem in enumerate(problems):
            material, text = problem.get("material"), str(problem.get("text") or "").strip()
            if material is not None and material not in codes:
                fields[f"problems.{index}.material"] = "不是本案的材料 / not a material of this case"
            if not text:
                fields[f"problems.{index}.text"] = "请写明问题 / describe the problem"
            cleaned.append({"material": material, "text": text})
        named = {problem["material"] for problem in cleaned if problem["material"]}
        for material in CaseMaterial.objects.filter(case=case, status=MaterialStatus.REJECTED).exclude(code__in=named):
            cleaned.append({"material": material.code, "text": material.reason})
        if not cleaned:
            fields["problems"] = "请至少列出一个问题 / list at least one problem"
        if fields:
            raise Invalid(fields)
        for problem in cleaned:
            if problem["material"]:
                CaseMaterial.objects.filter(case=case, code=problem["material"]).update(
                    status=MaterialStatus.REJECTED, reason=problem["text"]
                )
        CorrectionNotice.objects.create(case=case, issued_at=timezone.now(), issued_by=actor, problems=cleaned)
        clock.pause(case, on=timezone.localdate())
        previous, case.state = case.state, CaseState.RETURNED
        case.save()
        _event(case, actor=actor, action="return", from_state=previous, detail={"problems": len(cleaned)})
    return case


def case_resubmit(*, case: Case, actor: Any) -> Case:
    """The unit answers the correction notice (returned → in_review): rejected materials replaced, facts assessed
    again and frozen as a new version (the clerk sees the difference), the clock resumes with the days left."""
    if not is_case_handler(actor, case):
        raise Forbidden("only the unit's handlers resubmit")
    today = timezone.localdate()
    with audited_atomic():
        case = _locked(case)
        _expect(case, CaseState.RETURNED)
        held = 1 if case.quota_year is not None else 0
        quota_remaining = None
        if case.kind in QUOTA_KINDS:
            quota_remaining = quota_lock(unit=case.unit, year=case.quota_year or today.year).remaining + held
        facts, evaluation = case_evaluate(case, as_of=today, quota_remaining=quota_remaining)
        missing = _missing_materials(case, evaluation.materials)
        if missing:
            raise MaterialsMissing(missing)
        if evaluation.decision == Decision.INELIGIBLE:
            raise Ineligible(frozen_assessment(evaluation))
        _freeze(case, facts=facts, evaluation=evaluation, today=today)
        CorrectionNotice.objects.filter(case=case, answered_at__isnull=True).update(answered_at=timezone.now())
        clock.resume(case, on=today)
        previous, case.state = case.state, CaseState.IN_REVIEW
        case.save()
        _event(case, actor=actor, action="resubmit", from_state=previous, detail={"version": case.version})
    return case


def _review_outcomes(case: Case) -> list[str]:
    checks = (case.assessment or {}).get("zh", {}).get("checks", [])
    return [check["rule"] for check in checks if check["outcome"] == "review"]


def _check_ready(case: Case, review_reasons: dict[str, str] | None) -> dict[str, str]:
    """Before forwarding or a window approval: every required material accepted, a reason for each `review`."""
    fields: dict[str, str] = {}
    for material in CaseMaterial.objects.filter(case=case, required=True).exclude(status=MaterialStatus.ACCEPTED):
        fields[f"materials.{material.code}"] = "材料尚未审核通过 / material not accepted"
    reasons = {rule: str(text).strip() for rule, text in (review_reasons or {}).items() if str(text or "").strip()}
    for rule in _review_outcomes(case):
        if rule not in reasons:
            fields[f"review_reasons.{rule}"] = "请说明接受该人工审核项的理由 / give the reason for accepting this review"
    if fields:
        raise Invalid(fields)
    return reasons


def case_forward(*, case: Case, actor: Any, review_reasons: dict[str, str] | None = None) -> Case:
    """上报审批: the clerk forwards an initial or renewal case to the district bureau."""
    _require_clerk(actor)
    with audited_atomic():
        case = _locked(case)
        if case.kind not in BUREAU_KINDS:
            raise Forbidden("only initial and renewal cases go to the bureau; approve at the window")
        _expect(case, CaseState.IN_REVIEW)
        case.review_reasons = _check_ready(case, review_reasons)
        previous, case.state, case.forwarded_by = case.state, CaseState.PENDING_APPROVAL, actor
        case.save()
        _event(case, actor=actor, action="forward", from_state=previous, detail={"review_reasons": case.review_reasons})
    return case


def case_approve(*, case: Case, actor: Any, review_reasons: dict[str, str] | None = None) -> Case:
    """Approve and apply the effect in the same transaction. The window approves the five window-only items; the
    bureau approves initial and renewal after forwarding — never the person who reviewed or forwarded it."""
    role = getattr(actor, "role", None)
    with audited_atomic():
        case = _locked(case)
        if role == Role.WINDOW_CLERK:
            if case.kind in BUREAU_KINDS:
                raise Forbidden("initial and renewal are approved by the district bureau")
            _expect(case, CaseState.IN_REVIEW)
            case.review_reasons = _check_ready(case, review_reasons)
        elif role == Role.BUREAU_APPROVER:
            _expect(case, CaseState.PENDING_APPROVAL)
            if actor.pk in (case.reviewed_by_id, case.forwarded_by_id):
                raise Forbidden("separation of duties: the reviewer cannot approve")
        else:
            raise Forbidden("clerks and approvers only")
        today = timezone.localdate()
        apply_effects(case, actor=actor, on=today)
        previous, case.state = case.state, CaseState.APPROVED
        case.decided_by, case.decided_at = actor, timezone.now()
        case.save()
        _event(case, actor=actor, action="approve", from_state=previous)
    return case


def _free_holds(case: Case, *, actor: Any) -> None:
    """Rejection and withdrawal give back the quota unit and the appointment the case held."""
    if case.quota_year is not None:
        quota_release(unit=case.unit, year=case.quota_year, actor=actor)
        case.quota_year = None
    booking_cancel(case=case, actor=actor)


def case_reject(*, case: Case, actor: Any, reason: str) -> Case:
    """Refuse with reasons: the clerk while in review, the bureau while pending approval."""
    role = getattr(actor, "role", None)
    if role not in (Role.WINDOW_CLERK, Role.BUREAU_APPROVER):
        raise Forbidden("clerks and approvers only")
    if not (reason or "").strip():
        raise Invalid({"reason": "请写明不予通过的理由 / give the reason"})
    with audited_atomic():
        case = _locked(case)
        _expect(case, CaseState.IN_REVIEW if role == Role.WINDOW_CLERK else CaseState.PENDING_APPROVAL)
        if role == Role.BUREAU_APPROVER and actor.pk in (case.reviewed_by_id, case.forwarded_by_id):
            raise Forbidden("separation of duties")
        _free_holds(case, actor=actor)
        previous, case.state = case.state, CaseState.REJECTED
        case.decided_by, case.decided_at, case.decision_reason = actor, timezone.now(), reason.strip()
        case.save()
        _event(case, actor=actor, action="reject", from_state=previous, detail={"reason": reason.strip()})
    return case


def case_withdraw(*, case: Case, actor: Any) -> Case:
    """The applicant or the unit's handler withdraws before a decision."""
    if not (is_case_handler(actor, case) or is_case_applicant(actor, case)):
        raise Forbidden("only the case's filers withdraw it")
    with audited_atomic():
        case = _locked(case)
        _expect(case, *WITHDRAWABLE)
        _free_holds(case, actor=actor)
        previous, case.state = case.state, CaseState.WITHDRAWN
        case.decided_at = timezone.now()
        case.save()
        _event(case, actor=actor, action="withdraw", from_state=previous)
    return case
