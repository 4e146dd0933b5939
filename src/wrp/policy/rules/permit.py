"""Permit rules (POLICY §6, §9): what state a held permit must be in for each personal item.

Changes of children or basic information and renewal need a *valid* permit; a change of employer also accepts a
permit suspended (挂起) because the former unit released its holder. Renewal is only possible in the 60 days before the
permit expires, and items that need 20 working days of review warn when those days run past the permit's end.
"""

from __future__ import annotations

from datetime import timedelta

from wrp.policy.codes import PermitStatus, Service
from wrp.policy.labels import en, zh
from wrp.policy.rules.base import Context, Verdict, cited, fail, ok, rule, warn

RENEWAL_WINDOW = timedelta(days=60)
TRANSFERABLE = frozenset({PermitStatus.VALID, PermitStatus.SUSPENDED})


def _describe(context: Context) -> tuple[str, str]:
    permit = context.applicant.permit
    assert permit is not None
    assert permit.valid_until is not None
    until = permit.valid_until.isoformat()
    return f"工作居住证状态为{zh(permit.status)}，有效期至{until}", f"Permit {en(permit.status).lower()}, until {until}"


@rule("P-VALID", clause="G5.申请条件.2", reads=("applicant.permit",))
def p_valid(context: Context) -> Verdict:
    """持有的北京市工作居住证为“有效状态”。"""
    return cited(context, _p_valid(context), "申请条件.2")


def _p_valid(context: Context) -> Verdict:
    permit = context.applicant.permit
    if permit is None:
        return fail("申请人未持有工作居住证", "The applicant holds no permit")
    assert permit.valid_until is not None
    text_zh, text_en = _describe(context)
    if permit.status == PermitStatus.VALID and permit.valid_until >= context.as_of:
        return ok(text_zh, text_en)
    return fail(f"{text_zh}，须为有效状态", f"{text_en}: it must be valid")


@rule("P-TRANSFERABLE", clause="G4.申请条件.2", reads=("applicant.permit",))
def p_transferable(context: Context) -> Verdict:
    """持有的北京市工作居住证为“有效状态”（原单位解除关联后挂起的，可由新聘用单位在有效期内办理变更）。"""
    permit = context.applicant.permit
    if permit is None:
        return fail("申请人未持有工作居住证，应办理初次申请", "The applicant holds no permit: use initial")
    assert permit.valid_until is not None
    text_zh, text_en = _describe(context)
    if permit.status in TRANSFERABLE and permit.valid_until >= context.as_of:
        return ok(text_zh, text_en)
    return fail(f"{text_zh}，须为有效或挂起状态且在有效期内", f"{text_en}: it must be valid or suspended and unexpired")


@rule("P-RENEWAL-WINDOW", clause="G7.注意事项.4", reads=("applicant.permit",))
def p_renewal_window(context: Context) -> Verdict:
    """应在《北京市工作居住证》有效期满前60日内办理续签手续。"""
    permit = context.applicant.permit
    if permit is None:
        return fail("申请人未持有工作居住证", "The applicant holds no permit")
    assert permit.valid_until is not None
    opens = permit.valid_until - RENEWAL_WINDOW
    until = permit.valid_until.isoformat()
    if opens <= context.as_of <= permit.valid_until:
        return ok(
            f"在续签期内（{opens.isoformat()}至{until}）",
            f"Inside the renewal window ({opens.isoformat()} to {until})",
        )
    if context.as_of < opens:
        return fail(
            f"尚未到续签期：有效期满前60日内（{opens.isoformat()}起）方可办理",
            f"Too early: renewal opens on {opens.isoformat()} (60 days before {until})",
        )
    return fail(
        f"证件已于{until}期满，超过有效期未续签的自动失效，需重新办理",
        f"The permit ended on {until}; it lapsed and a new application is needed",
    )


@rule("P-RESERVE", clause="G4.注意事项.5", reads=("applicant.permit",))
def p_reserve(context: Context) -> Verdict:
    """需预留20个工作日用于审批。"""
    return cited(context, _p_reserve(context), "注意事项.4" if context.service == Service.RENEWAL else "注意事项.5")


def _p_reserve(context: Context) -> Verdict:
    permit = context.applicant.permit
    assert permit is not None
    assert permit.valid_until is not None
    due = context.calendar.deadline(context.as_of, context.time_limit)
    until = permit.valid_until.isoformat()
    note_zh = "（节假日安排未公布，按周末推算）" if due.provisional else ""
    note_en = " (provisional: holiday notice not loaded)" if due.provisional else ""
    if due.date > permit.valid_until:
        return warn(
            f"审批需{context.time_limit}个工作日，预计{due.date.isoformat()}办结{note_zh}，晚于证件有效期{until}，请尽快提交",
            f"Review takes {context.time_limit} working days, due {due.date.isoformat()}{note_en}, after the permit "
            f"ends on {until}: submit at once",
        )
    return ok(
        f"预留{context.time_limit}个工作日审批，预计{due.date.isoformat()}前办结{note_zh}，在有效期{until}内",
        f"{context.time_limit} working days of review end by {due.date.isoformat()}{note_en}, before {until}",
    )
