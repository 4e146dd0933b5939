"""Every transition of a case is one service function here (DESIGN.md §The case state machine).

Each asks `wrp.cases.workflow` whether the actor may take the action on the case as it is (role, relation, kind,
state, separation of duties), locks the case row (two people acting at once never both succeed), runs in one
transaction, writes a CaseEvent and an audit event, and raises `wrp.core.errors` on refusal — before writing
anything, or inside the transaction that is then rolled back. What varies by kind comes from `wrp.cases.kinds`
(quota, appointment, time limit, answers, the effect of approval); materials and verdicts are in `materials.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.appointments.selectors import slot_bookable
from wrp.appointments.services import booking_create
from wrp.audit.services import audit_record, audited_atomic
from wrp.cases import acceptance, clock, records
from wrp.cases.acts import holds_free, locked, record_event
from wrp.cases.facts import case_evaluate, change_check, frozen_assessment, require_change
from wrp.cases.housing_loan import housing_loan_check
from wrp.cases.kinds import KINDS, PERSONAL_KINDS, KindSpec, kind_of, kind_spec
from wrp.cases.models import (
    FINISHED_STATES,
    ONE_OPEN_PER_APPLICANT,
    Case,
    CaseMaterial,
    CaseSnapshot,
    CaseState,
    CorrectionNotice,
    MaterialStatus,
)
from wrp.cases.workflow import require, require_actor, require_opener
from wrp.core.errors import Ineligible, Invalid, MaterialsMissing, Message
from wrp.core.events import emit
from wrp.employment.selectors import active_association
from wrp.policy.codes import Decision
from wrp.quotas.services import quota_exhausted, quota_lock, quota_reserve_if_left
from wrp.units.models import Unit

PUBLIC_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
NOT_ASSOCIATED = _("您未与该单位关联。")


class Problems:
    """The problems of a request gathered field by field, each with its code, refused together as one Invalid."""

    def __init__(self) -> None:
        self.fields: dict[str, Message] = {}
        self.codes: dict[str, str] = {}

    def add(self, path: str, message: Message, code: str) -> None:
        self.fields[path], self.codes[path] = message, code

    def update(self, other: Problems) -> None:
        self.fields.update(other.fields)
        self.codes.update(other.codes)

    def refuse(self) -> None:
        """Raise them, if there are any."""
        if self.fields:
            raise Invalid(self.fields, codes=self.codes)


def _new_public_id() -> str:
    stamp = timezone.localdate().strftime("%y%m")
    return f"C{stamp}" + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(8))


_locked = locked


def _event(case: Case, *, actor: Any, action: str, from_state: str, detail: dict[str, Any] | None = None) -> None:
    record_event(case, actor=actor, action=action, from_state=from_state, detail=detail)


def _kind_asked(kind: str, subtype: str | None, problems: Problems) -> KindSpec | None:
    """The kind a new case asks for: an unknown kind is refused at once, a subtype that does not fit the kind is one
    more problem (None when no kind fits it)."""
    services = {spec.service for spec in KINDS.values()}
    if kind not in services:
        raise Invalid({"kind": _("未知事项。")}, codes={"kind": "unknown_kind"})
    subtypes = {spec.subtype for spec in KINDS.values() if spec.service == kind and spec.subtype}
    if subtypes and subtype not in subtypes:
        problems.add("subtype", _("请选择变更类型：居住地址、姓名或户籍、学历或学位。"), "subtype_required")
        return None
    if not subtypes and subtype:
        problems.add("subtype", _("仅基础信息变更有变更类型。"), "subtype_not_allowed")
        return kind_spec(kind)
    return kind_spec(kind, subtype)


def case_open(*, actor: Any, kind: str, unit: Unit, applicant: Any = None, subtype: str | None = None,
              answers: dict[str, Any] | None = None) -> Case:
    """Open a draft. A handler opens any kind for their unit (personal kinds for an actively associated applicant);
    an applicant opens a personal kind for the unit they are actively associated with."""
    problems = Problems()
    spec = _kind_asked(kind, subtype, problems)
    personal = kind in PERSONAL_KINDS
    if actor.role == Role.UNIT_HANDLER:
        if not unit.handlers.filter(pk=actor.pk).exists():
            problems.add("unit", _("不是您经办的单位。"), "not_your_unit")
        if personal and applicant is None:
            problems.add("applicant", _("请选择申请人。"), "applicant_required")
        elif personal and active_association(applicant, unit) is None:
            problems.add("applicant", _("该申请人未与本单位关联。"), "applicant_not_associated")
        elif not personal and applicant is not None:
            problems.add("applicant", _("单位事项没有申请人。"), "applicant_not_allowed")
    else:
        require_opener(actor, kind)
        if applicant is not None and applicant.pk != actor.pk:
            problems.add("applicant", _("只能为本人申请。"), "only_for_yourself")
        applicant = actor
        if active_association(actor, unit) is None:
            problems.add("unit", NOT_ASSOCIATED, "not_associated")
    problems.update(_answer_problems(spec, answers or {}))
    change_check(spec, answers or {}, applicant, problems.add, with_profile=False)
    if personal and applicant is not None:
        problems.update(_open_case_problems(kind, applicant))
    problems.refuse()
    with audited_atomic():
        try:
            with transaction.atomic():  # a savepoint: the guard of a racing open rolls back this row alone
                case = Case.objects.create(
                    public_id=_new_public_id(), kind=kind, subtype=subtype or "", unit=unit,
                    applicant=applicant if personal else None, created_by=actor, answers=answers or {},
                )
        except IntegrityError:
            _open_case_problems(kind, applicant).refuse()
            raise
        _event(case, actor=actor, action="open", from_state="")
    return case


def _open_case_problems(kind: str, applicant: Any) -> Problems:
    """One open case per purpose (issue 11 §9): an applicant's unfinished case of a kind that allows only one,
    named by its public number (the database's constraint `one_open_case_per_purpose` stops a racing second open)."""
    problems = Problems()
    if kind not in ONE_OPEN_PER_APPLICANT:
        return problems
    first = (Case.objects.filter(applicant=applicant, kind=kind).exclude(state__in=FINISHED_STATES)
             .order_by("created_at", "id").first())
    if first is not None:
        problems.add("kind", format_lazy(
            _("该申请人已有一件未办结的同类案件 {number}：请继续办理该案件，或撤回后再新建。"), number=first.public_id,
        ), "open_case_exists")
    return problems


def _answer_problems(spec: KindSpec | None, answers: dict[str, Any]) -> Problems:
    """The case's own answers carry only what its kind uses (`kinds.AnswerField`), a list of rows with only their
    parts where the field takes many (children: [{"name", "case"}]). The values themselves are checked by the policy
    at submission, as facts."""
    fields = {field.name: field for field in (spec.answers if spec else ())}
    problems = Problems()
    for key in answers:
        if key not in fields:
            problems.add(f"answers.{key}", _("此类案件不填写该项。"), "answer_not_allowed")
    for field in fields.values():
        value = answers.get(field.name)
        if not field.many or value is None:
            continue
        if not isinstance(value, list):
            problems.add(f"answers.{field.name}", _("应为列表。"), "not_a_list")
            continue
        for index, row in enumerate(value):
            if not isinstance(row, dict) or set(row) - set(field.parts):
                problems.add(
                    f"answers.{field.name}.{index}",
                    format_lazy(_("每一项只能包含：{parts}。"), parts=", ".join(field.parts)), "bad_row",
                )
    if "housing_loan" in fields:  # 附件3's particulars, part by part
        housing_loan_check(answers.get("housing_loan"), problems.add)
    return problems


def case_update_answers(*, case: Case, actor: Any, answers: dict[str, Any]) -> Case:
    """Change the case's own answers while it can still be edited by its filers."""
    require_actor(case, actor, "edit")
    with audited_atomic():
        case = _locked(case)
        require(case, actor, "edit")
        problems = _answer_problems(kind_of(case), answers)
        change_check(kind_of(case), answers, case.applicant, problems.add, with_profile=False)
        problems.refuse()
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
    slot; then one quota unit reserved by one conditional UPDATE, which holds the unit's quota row until commit, and
    the assessment of today's facts with the units left before it (none left: U-QUOTA fails; ineligible → refused,
    the reservation rolled back with the rest); the applicant's real name (no document prints a login name); then
    freeze facts and assessment, start the clock, book the slot, freeze the declarations and issue the receipt with
    the window's acceptance deadline (`wrp.cases.acceptance`) — all or nothing.
    """
    today = timezone.localdate()
    require_actor(case, actor, "submit")
    with audited_atomic():
        case = _locked(case)
        row = require(case, actor, "submit")
        require_change(case)  # what a change lacks is refused here, by either submission, never at approval
        if row.target == CaseState.AWAITING_UNIT:
            if active_association(actor, case.unit) is None:
                raise Invalid({"unit": NOT_ASSOCIATED}, codes={"unit": "not_associated"})
            previous, case.state = case.state, CaseState.AWAITING_UNIT
            case.save(update_fields=["state", "updated_at"])
            _event(case, actor=actor, action="submit_to_unit", from_state=previous)
            return case
        spec = kind_of(case)
        _facts, preview = case_evaluate(case, as_of=today)
        missing = _missing_materials(case, preview.materials)
        if missing:
            raise MaterialsMissing(missing)
        if spec.personal and not slot:
            raise Invalid({"slot": _("请预约办理时段。")}, codes={"slot": "slot_required"})
        if spec.personal:
            slot_bookable(slot or "")
        reservation = None
        quota_remaining = None
        if spec.needs_quota:  # reserved first, in one statement; any refusal below rolls it back with the rest
            reservation = quota_reserve_if_left(unit=case.unit, year=today.year, actor=actor)
            quota_remaining = 0 if reservation is None else reservation.remaining + 1
        facts, evaluation = case_evaluate(case, as_of=today, quota_remaining=quota_remaining)
        if evaluation.decision == Decision.INELIGIBLE:
            raise Ineligible(frozen_assessment(evaluation))
        missing = _missing_materials(case, evaluation.materials)
        if missing:
            raise MaterialsMissing(missing)
        records.require_real_names(case)
        if spec.personal:
            booking_create(case=case, slot_public_id=slot or "", actor=actor)
        if spec.needs_quota:
            if reservation is None:
                raise quota_exhausted()
            case.quota_year = today.year
        _freeze(case, facts=facts, evaluation=evaluation, today=today)
        clock.start(case, on=today, time_limit=spec.time_limit)
        previous, case.state = case.state, CaseState.SUBMITTED
        case.save()
        _event(case, actor=actor, action="submit", from_state=previous,
               detail={"decision": evaluation.decision.value, "version": case.version})
        _materials_arrived(case, actor=actor)
        emit("case.submitted", case_id=case.pk)
    return case


def _materials_arrived(case: Case, *, actor: Any) -> None:
    """The unit's submission or resubmission reached the window: freeze its declarations, issue the receipt and start
    the window's 5 working days to accept or ask for corrections (`wrp.cases.acceptance`)."""
    at = timezone.now()
    records.on_submitted(case, actor, at)
    acceptance.materials_received(case, actor=actor, at=at)


SEND_BACK_MAX = 1000  # characters of the unit's message


def case_send_back(*, case: Case, actor: Any, message: str) -> Case:
    """The unit's handler sends an employee's case back to them with a message (awaiting_unit → draft): the
    employee changes what the message asks and submits it to the unit again. The message is kept on the case's
    event (the employee's case page shows it) and told to the employee."""
    require_actor(case, actor, "send_back")
    with audited_atomic():
        case = _locked(case)
        require(case, actor, "send_back")
        text = str(message or "").strip()
        if not text:
            raise Invalid({"message": _("请写明需要员工修改的内容。")}, codes={"message": "message_required"})
        if len(text) > SEND_BACK_MAX:
            raise Invalid({"message": format_lazy(_("说明不能超过 {limit} 个字。"), limit=SEND_BACK_MAX)},
                          codes={"message": "message_too_long"})
        previous, case.state = case.state, CaseState.DRAFT
        case.save(update_fields=["state", "updated_at"])
        _event(case, actor=actor, action="send_back", from_state=previous, detail={"message": text})
        emit("case.sent_back", case_id=case.pk)
    return case


def case_start_review(*, case: Case, actor: Any) -> Case:
    """The window clerk picks the case up (submitted → in_review)."""
    require_actor(case, actor, "start_review")
    with audited_atomic():
        case = _locked(case)
        require(case, actor, "start_review")
        previous, case.state, case.reviewed_by = case.state, CaseState.IN_REVIEW, actor
        case.save(update_fields=["state", "reviewed_by", "updated_at"])
        _event(case, actor=actor, action="start_review", from_state=previous)
    return case


def _notice_problems(case: Case, problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The notice's problems: those given, then every material already judged not acceptable and not named."""
    codes = set(CaseMaterial.objects.filter(case=case).values_list("code", flat=True))
    refused = Problems()
    cleaned: list[dict[str, Any]] = []
    for index, problem in enumerate(problems):
        material, text = problem.get("material"), str(problem.get("text") or "").strip()
        if material is not None and material not in codes:
            refused.add(f"problems.{index}.material", _("不是本案的材料。"), "unknown_material")
        if not text:
            refused.add(f"problems.{index}.text", _("请写明问题。"), "text_required")
        cleaned.append({"material": material, "text": text})
    named = {problem["material"] for problem in cleaned if problem["material"]}
    for material in CaseMaterial.objects.filter(case=case, status=MaterialStatus.REJECTED).exclude(code__in=named):
        cleaned.append({"material": material.code, "text": material.reason})
    if not cleaned:
        refused.add("problems", _("请至少列出一个问题。"), "problems_required")
    refused.refuse()
    return cleaned


def case_return_for_correction(*, case: Case, actor: Any, problems: list[dict[str, Any]]) -> Case:
    """补正: one consolidated notice (一次性告知) with every problem — those given, and every material already judged
    not acceptable; the named materials must be uploaded again; the clock stops until resubmission."""
    require_actor(case, actor, "return")
    with audited_atomic():
        case = _locked(case)
        require(case, actor, "return")
        cleaned = _notice_problems(case, problems)
        for problem in cleaned:
            if problem["material"]:
                CaseMaterial.objects.filter(case=case, code=problem["material"]).update(
                    status=MaterialStatus.REJECTED, reason=problem["text"]
                )
        notice = CorrectionNotice.objects.create(case=case, issued_at=timezone.now(), issued_by=actor, problems=cleaned)
        clock.pause(case, on=timezone.localdate())
        previous, case.state = case.state, CaseState.RETURNED
        case.save()
        _event(case, actor=actor, action="return", from_state=previous, detail={"problems": len(cleaned)})
        records.on_returned(case, notice, actor, notice.issued_at)
        emit("case.returned", case_id=case.pk)
    return case


def case_resubmit(*, case: Case, actor: Any) -> Case:
    """The unit answers the correction notice (returned → in_review): rejected materials replaced, facts assessed
    again and frozen as a new version (the clerk sees the difference), the clock resumes with the days left."""
    require_actor(case, actor, "resubmit")
    today = timezone.localdate()
    with audited_atomic():
        case = _locked(case)
        require(case, actor, "resubmit")
        require_change(case)
        held = 1 if case.quota_year is not None else 0
        quota_remaining = None
        if kind_of(case).needs_quota:
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
        _materials_arrived(case, actor=actor)
        emit("case.resubmitted", case_id=case.pk)
    return case


def _review_outcomes(case: Case) -> list[str]:
    checks = (case.assessment or {}).get("zh", {}).get("checks", [])
    return [check["rule"] for check in checks if check["outcome"] == "review"]


def _check_ready(case: Case, review_reasons: dict[str, str] | None) -> dict[str, str]:
    """Before forwarding or a window approval: every required material accepted, a reason for each `review`."""
    problems = Problems()
    for material in CaseMaterial.objects.filter(case=case, required=True).exclude(status=MaterialStatus.ACCEPTED):
        problems.add(f"materials.{material.code}", _("材料尚未审核通过。"), "material_not_accepted")
    reasons = {rule: str(text).strip() for rule, text in (review_reasons or {}).items() if str(text or "").strip()}
    for rule in _review_outcomes(case):
        if rule not in reasons:
            problems.add(f"review_reasons.{rule}", _("请说明接受该人工审核项的理由。"), "review_reason_required")
    problems.refuse()
    return reasons


def case_forward(*, case: Case, actor: Any, review_reasons: dict[str, str] | None = None) -> Case:
    """上报审批: the clerk forwards an initial or renewal case to the district bureau."""
    require_actor(case, actor, "forward")
    with audited_atomic():
        case = _locked(case)
        require(case, actor, "forward")
        case.review_reasons = _check_ready(case, review_reasons)
        acceptance.accept_with_decision(case, actor=actor)
        previous, case.state, case.forwarded_by = case.state, CaseState.PENDING_APPROVAL, actor
        case.save()
        _event(case, actor=actor, action="forward", from_state=previous, detail={"review_reasons": case.review_reasons})
        emit("case.forwarded", case_id=case.pk)
    return case


def case_approve(*, case: Case, actor: Any, review_reasons: dict[str, str] | None = None) -> Case:
    """Approve and apply the kind's effect in the same transaction. The window approves the five window-only items
    (every material accepted, a reason for each `review`); the bureau approves initial and renewal after forwarding
    — never the person who reviewed or forwarded it."""
    with audited_atomic():
        case = _locked(case)
        row = require(case, actor, "approve")
        if row.role == Role.WINDOW_CLERK:
            case.review_reasons = _check_ready(case, review_reasons)
        acceptance.accept_with_decision(case, actor=actor, announce=False)  # the decision's notice tells
        today = timezone.localdate()
        kind_of(case).apply(case, actor=actor, on=today)
        previous, case.state = case.state, CaseState.APPROVED
        case.decided_by, case.decided_at = actor, timezone.now()
        case.save()
        _event(case, actor=actor, action="approve", from_state=previous)
        records.on_decided(case, actor, case.decided_at)
        emit("case.approved", case_id=case.pk)
    return case


_free_holds = holds_free


def case_reject(*, case: Case, actor: Any, reason: str) -> Case:
    """Refuse with reasons: the clerk while in review, the bureau while pending approval."""
    require_actor(case, actor, "reject")
    if not (reason or "").strip():
        raise Invalid({"reason": _("请写明不予通过的理由。")}, codes={"reason": "reason_required"})
    with audited_atomic():
        case = _locked(case)
        require(case, actor, "reject")
        acceptance.accept_with_decision(case, actor=actor, announce=False)  # the decision's notice tells
        _free_holds(case, actor=actor)
        previous, case.state = case.state, CaseState.REJECTED
        case.decided_by, case.decided_at, case.decision_reason = actor, timezone.now(), reason.strip()
        case.save()
        _event(case, actor=actor, action="reject", from_state=previous, detail={"reason": reason.strip()})
        records.on_decided(case, actor, case.decided_at)
        emit("case.rejected", case_id=case.pk)
    return case


def case_withdraw(*, case: Case, actor: Any) -> Case:
    """The applicant or the unit's handler withdraws before a decision."""
    require_actor(case, actor, "withdraw")
    with audited_atomic():
        case = _locked(case)
        require(case, actor, "withdraw")
        _free_holds(case, actor=actor)
        previous, case.state = case.state, CaseState.WITHDRAWN
        case.decided_at = timezone.now()
        case.save()
        _event(case, actor=actor, action="withdraw", from_state=previous)
        emit("case.withdrawn", case_id=case.pk)
    return case
