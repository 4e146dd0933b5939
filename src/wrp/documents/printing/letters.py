"""The letters of a case: the consolidated correction notice (补正材料一次性告知书) and the decision letter
(准予或不予办理决定书). Read by more people than the declarations, they carry the masked resident ID only. Each shows
its 文号 under the title and ends with the issuing organ's full name (POLICY §11 L-RECORD); a refusal lists every
reason with what it rests on and the remedies (L-REFUSE)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from wrp.documents.printing.data import CaseParties, CorrectionNoticeData, DecisionData, Office, Remedies
from wrp.documents.printing.layout import (
    ITEM,
    LETTER,
    PLAIN,
    SUBTITLE,
    TITLE,
    Pair,
    cn_date,
    footer,
    grid,
    issuer,
    para,
    pdf_bytes,
)


def _party_rows(parties: CaseParties, dated: Pair) -> list[list[Pair]]:
    """Case, item, unit and (for a personal item) applicant with the masked ID; `dated` is the document's date."""
    rows: list[list[Pair]] = [
        [("案件编号", parties.case_id), ("提交日期", cn_date(parties.submitted_on) if parties.submitted_on else "—")],
        [("办理事项", parties.item_title)],
        [("申报单位", parties.unit_name)],
        [("统一社会信用代码", parties.credit_code)],  # a row of its own: 18 wide letters never break
        [dated],
    ]
    if parties.applicant_name:
        rows += [[("申请人", parties.applicant_name)], [("公民身份号码", parties.applicant_id_masked)]]
    return rows


def heading(title: str, number: str) -> list[Flowable]:
    """The title and, under it, the document's 文号."""
    return [para(TITLE, title), *([para(SUBTITLE, number)] if number else [])]


def _office_lines(office: Office) -> KeepTogether:
    return KeepTogether([
        para(PLAIN, f"办理机构：{office.institution}"),
        para(PLAIN, f"办理地点：{office.address}"),
        para(PLAIN, f"办理时间：{office.hours}"),
        para(PLAIN, f"联系电话：{office.phone}；投诉监督电话：{office.complaints}"),
    ])


def _clock_words(data: CorrectionNoticeData) -> str:
    if data.paused:
        left = f"，暂停时剩余 {data.days_left_at_pause} 个工作日" if data.days_left_at_pause is not None else ""
        return f"补正中，计时暂停{left}；自补正材料重新提交之日起继续计算。"
    if data.answered_on:
        return f"已于{cn_date(data.answered_on)}补正提交，计时已恢复。"
    return "计时进行中。"


def correction_notice_pdf(data: CorrectionNoticeData) -> bytes:
    """补正材料一次性告知书: every problem of the returned case, numbered, with the clock's state and the office."""
    parties = data.parties
    problems = [
        para(ITEM, f"{index}．", f"《{problem.material_title}》：" if problem.material_title else "其他：", problem.text)
        for index, problem in enumerate(data.problems, start=1)
    ]
    story: list[Flowable] = [
        *heading("补正材料一次性告知书", data.number),
        grid(_party_rows(parties, ("告知日期", cn_date(data.issued_on)))),
        Spacer(1, 6 * mm),
        para(PLAIN, f"{parties.unit_name}："),
        para(LETTER, f"你单位提交的「{parties.item_title}」申请（案件编号 {parties.case_id}），经审核，需补正以下 "
                 f"{len(data.problems)} 项内容。现一次性告知如下，请全部补正后重新提交："),
        Spacer(1, 2 * mm),
        *problems,
        Spacer(1, 4 * mm),
        para(PLAIN, "计时状态：" + _clock_words(data)),
        para(PLAIN, "上传的电子材料须印章清晰、内容完整（含封面、编号页）、不得有遮挡；内容连续、方向正确；格式为 PDF 扫描件。"),
        Spacer(1, 4 * mm),
        _office_lines(data.office),
        issuer(data.organ, data.issued_on),
    ]
    return pdf_bytes(story, title="补正材料一次性告知书", subject=parties.case_id, footer=footer(parties.case_id))


def _remedies(remedies: Remedies) -> list[Flowable]:
    return [
        Spacer(1, 3 * mm),
        para(LETTER, f"如不服本决定，可以自收到本决定书之日起{remedies.reconsideration_days}日内向"
                     f"{remedies.reconsideration_body}申请行政复议（《中华人民共和国行政复议法》第二十条），"
                     f"或者自收到本决定书之日起{remedies.suit_months}个月内向{remedies.court}提起行政诉讼"
                     "（《中华人民共和国行政诉讼法》第四十六条）。"),
    ]


def _approval(data: DecisionData, opening: str) -> list[Flowable]:
    what = f"决定准予办理：{data.decision}。" if data.decision else "决定准予办理。"
    story: list[Flowable] = [para(LETTER, opening + "符合规定条件，" + what)]
    rows: list[list[Pair]] = [[pair] for pair in data.particulars]
    if data.permit_number:
        until = cn_date(data.permit_valid_until) if data.permit_valid_until else "—"
        rows += [[("工作居住证编号", data.permit_number)], [("有效期至", until)]]
    if rows:
        story += [Spacer(1, 2 * mm), para(PLAIN, "准予事项："), grid(rows)]
    return story


def _refusal(data: DecisionData, opening: str) -> list[Flowable]:
    story: list[Flowable] = [para(LETTER, opening + "不符合规定条件，决定不予办理。理由如下：")]
    reasons = data.reasons or ()
    if not reasons:
        story.append(para(ITEM, "—"))
    for index, reason in enumerate(reasons, start=1):
        basis = f"（依据：{reason.basis}）" if reason.basis else ""
        story.append(para(ITEM, f"{index}．" if len(reasons) > 1 else "", reason.text, basis))
    return story + _remedies(data.remedies)


def decision_pdf(data: DecisionData) -> bytes:
    """准予或不予办理决定书: the item, the decision, what was approved (the child, the address, the validity…) or every
    reason of a refusal with the remedies, who decided and when, the 文号 and the organ's full name."""
    parties = data.parties
    verdict = "准予" if data.approved else "不予"
    addressee = parties.unit_name + (f"、{parties.applicant_name}" if parties.applicant_name else "")
    opening = f"你单位提交的「{parties.item_title}」申请（案件编号 {parties.case_id}），经审核，"
    decider = f"{data.organ}（{data.decider_role}）" if data.decided_by_bureau else f"服务大厅窗口（{data.decider_role}）"
    rows = [*_party_rows(parties, ("决定日期", cn_date(data.decided_on))), [("决定", f"{verdict}办理")],
            [("决定人员", decider)]]
    story: list[Flowable] = [*heading(f"{verdict}办理决定书", data.number), grid(rows), Spacer(1, 6 * mm),
                             para(PLAIN, f"{addressee}：")]
    story += _approval(data, opening) if data.approved else _refusal(data, opening)
    story += [
        Spacer(1, 4 * mm),
        para(PLAIN, f"如有疑问，请联系{data.office.institution}，联系电话 {data.office.phone}；"
                  f"投诉监督电话 {data.office.complaints}。"),
        issuer(data.organ, data.decided_on),
    ]
    return pdf_bytes(story, title=f"{verdict}办理决定书", subject=parties.case_id, footer=footer(parties.case_id))
