"""The notices of the acceptance duty and the extension (POLICY §11, 行政许可法第三十二条、第四十二条): the receipt of
materials (材料接收凭证) on every submission and resubmission, the 受理通知书 (accepted explicitly, with the decision, or
deemed accepted when the window let five working days pass), the 不予受理通知书 for a matter outside the district's
remit, and the 延期通知书 of the bureau's one extension.

Pure layout, like the rest of `wrp.documents.printing`: each builder takes a frozen dataclass of plain values and
the document number (文号, printed under the title) and answers the bytes of an A4 PDF. The values are gathered by
`wrp.cases.notices`. Window documents are issued by the service centre, the extension by the bureau.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from wrp.documents.printing.data import BUREAU_NAME, CENTRE_NAME, CaseParties, Office, Remedies
from wrp.documents.printing.layout import (
    ITEM,
    LETTER,
    PLAIN,
    SMALL,
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

LAW = "《中华人民共和国行政许可法》"


@dataclass(frozen=True)
class ReceivedMaterial:
    title: str
    pages: int | None = None


@dataclass(frozen=True)
class ReceiptData:
    """材料接收凭证: what arrived, when, and by when the window accepts or asks for corrections."""

    parties: CaseParties
    received_at: datetime  # local time
    submission: int  # 1 for the first submission, then each resubmission
    materials: tuple[ReceivedMaterial, ...]
    acceptance_due: date
    office: Office = field(default_factory=Office)
    organ: str = CENTRE_NAME


@dataclass(frozen=True)
class AcceptanceNoticeData:
    """受理通知书: how the case was accepted, from which day, and the decision's due date."""

    parties: CaseParties
    how: str  # explicit | with_decision | deemed
    received_on: date
    accepted_on: date
    issued_on: date
    time_limit: int | None
    decision_due: date | None
    paused_days: bool = False  # the clock stood still meanwhile (a correction before acceptance)
    office: Office = field(default_factory=Office)
    organ: str = CENTRE_NAME


@dataclass(frozen=True)
class NonAcceptanceData:
    """不予受理通知书: the matter is outside the district's remit; the reasons and the remedies."""

    parties: CaseParties
    received_on: date
    issued_on: date
    reasons: str
    remedies: Remedies = field(default_factory=Remedies)
    office: Office = field(default_factory=Office)
    organ: str = CENTRE_NAME


@dataclass(frozen=True)
class ExtensionData:
    """延期通知书: the one extension of the time limit, by the bureau, with its reason."""

    parties: CaseParties
    issued_on: date
    days: int
    previous_due: date
    new_due: date
    reason: str
    organ: str = BUREAU_NAME
    office: Office = field(default_factory=Office)


def _heading(title: str, number: str) -> list[Flowable]:
    """The title with its 文号 right under it."""
    return [para(TITLE, title), *([para(SUBTITLE, number)] if number else [])]


def _rows(parties: CaseParties, dated: Pair) -> list[list[Pair]]:
    rows: list[list[Pair]] = [
        [("案件编号", parties.case_id), dated],
        [("办理事项", parties.item_title)],
        [("申报单位", parties.unit_name)],
    ]
    if parties.applicant_name:
        rows += [[("统一社会信用代码", parties.credit_code), ("申请人", parties.applicant_name)],
                 [("公民身份号码", parties.applicant_id_masked)]]
    else:
        rows.append([("统一社会信用代码", parties.credit_code)])
    return rows


def _addressee(parties: CaseParties) -> str:
    return parties.unit_name + (f"、{parties.applicant_name}" if parties.applicant_name else "") + "："


def _office(office: Office) -> KeepTogether:
    """The office's address and numbers in small print under the seal (what the reader needs to get in touch)."""
    return KeepTogether([
        Spacer(1, 2 * mm),
        para(SMALL, f"办理机构：{office.institution}　办理地点：{office.address}"),
        para(SMALL, f"联系电话：{office.phone}　投诉监督电话：{office.complaints}"),
    ])


def _closing(last: Flowable, signed: Flowable) -> KeepTogether:
    """The letter's last paragraph kept on one page with the issuer and the seal: a seal never stands alone. The
    issuer's own KeepTogether is opened up: reportlab breaks the page early before a KeepTogether nested in another."""
    content = list(signed._content) if isinstance(signed, KeepTogether) else [signed]
    return KeepTogether([last, *content])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()] or ["—"]


def _moment(value: datetime) -> str:
    return f"{cn_date(value.date())} {value:%H:%M}"


def receipt_pdf(data: ReceiptData, number: str = "") -> bytes:
    """材料接收凭证 (L-RECEIPT): the case, each material received by name, the date and time, and the date by which the
    window accepts the case or tells in one notice everything to correct (L-ACCEPT)."""
    parties = data.parties
    which = "首次提交" if data.submission <= 1 else f"补正后第 {data.submission} 次提交"
    materials = [
        para(ITEM, f"{index}．", item.title, f"（{item.pages} 页）" if item.pages else "")
        for index, item in enumerate(data.materials, start=1)
    ] or [para(ITEM, "—")]
    story: list[Flowable] = [
        *_heading("材料接收凭证", number),
        grid([*_rows(parties, ("接收时间", _moment(data.received_at))), [("提交", which)],
              [("受理或告知补正期限", cn_date(data.acceptance_due))]]),
        Spacer(1, 4 * mm),
        para(PLAIN, _addressee(parties)),
        para(LETTER, f"本中心于{_moment(data.received_at)}收到你单位提交的「{parties.item_title}」申请材料"
                     f"（案件编号 {parties.case_id}，{which}），共 {len(data.materials)} 项："),
        *materials,
        Spacer(1, 2 * mm),
        para(LETTER, f"本中心将于{cn_date(data.acceptance_due)}前（收到材料之日起 5 个工作日内）作出受理决定，或一次性"
                     f"告知需要补正的全部内容；逾期不告知的，自收到申请材料之日起即为受理（{LAW}第三十二条）。"),
        _closing(para(LETTER, "本凭证仅证明已收到上列材料，不表示申请已被受理。"),
                 issuer(data.organ, data.received_at.date())),
        _office(data.office),
    ]
    return pdf_bytes(story, title="材料接收凭证", subject=parties.case_id, footer=footer(parties.case_id))


def _acceptance_words(data: AcceptanceNoticeData) -> str:
    item = f"你单位提交的「{data.parties.item_title}」申请（案件编号 {data.parties.case_id}）"
    if data.how == "deemed":
        return (f"本中心于{cn_date(data.received_on)}收到{item}的申请材料，未在 5 个工作日内作出受理决定或一次性告知"
                f"需要补正的内容。依照{LAW}第三十二条第一款第（四）项，自收到申请材料之日即{cn_date(data.accepted_on)}"
                f"起视为受理。")
    if data.how == "with_decision":
        return (f"{item}，申请材料齐全、符合法定形式，本中心在审查的同时予以受理，受理日期为"
                f"{cn_date(data.accepted_on)}。")
    return f"{item}，申请材料齐全、符合法定形式，经审查，决定予以受理。受理日期为{cn_date(data.accepted_on)}。"


def acceptance_notice_pdf(data: AcceptanceNoticeData, number: str = "") -> bytes:
    """受理通知书 (L-ACCEPT): accepted explicitly, with the decision, or deemed accepted; the decision's due date."""
    parties = data.parties
    how = {"explicit": "受理", "with_decision": "受理（随审查决定）", "deemed": "视为受理"}.get(data.how, "受理")
    rows = [*_rows(parties, ("收到材料日期", cn_date(data.received_on))), [("受理方式", how)],
            [("受理日期", cn_date(data.accepted_on))],
            [("决定期限", cn_date(data.decision_due) if data.decision_due else "—")]]
    story: list[Flowable] = [
        *_heading("受理通知书", number),
        grid(rows),
        Spacer(1, 4 * mm),
        para(PLAIN, _addressee(parties)),
        para(LETTER, _acceptance_words(data)),
    ]
    if data.decision_due and data.time_limit:
        story.append(para(LETTER, f"本事项法定办理时限为 {data.time_limit} 个工作日（自收到申请材料之日起计算，补正期间"
                                  f"不计入），将于{cn_date(data.decision_due)}前作出决定。如需延长，将另行书面告知。"))
    story += [
        _closing(para(LETTER, "受理后本案不再退回补正；如有疑问，请与本中心联系。"), issuer(data.organ, data.issued_on)),
        _office(data.office),
    ]
    return pdf_bytes(story, title="受理通知书", subject=parties.case_id, footer=footer(parties.case_id))


def non_acceptance_pdf(data: NonAcceptanceData, number: str = "") -> bytes:
    """不予受理通知书 (L-ACCEPT): the matter is outside the district's remit; each reason; the remedies."""
    parties = data.parties
    reasons = _lines(data.reasons)
    remedies = data.remedies
    story: list[Flowable] = [
        *_heading("不予受理通知书", number),
        grid([*_rows(parties, ("收到材料日期", cn_date(data.received_on))), [("通知日期", cn_date(data.issued_on))]]),
        Spacer(1, 4 * mm),
        para(PLAIN, _addressee(parties)),
        para(LETTER, f"你单位于{cn_date(data.received_on)}提交的「{parties.item_title}」申请（案件编号 {parties.case_id}），"
                     f"经审查，申请事项依法不属于本机关职权范围。依照{LAW}第三十二条第一款第（二）项，决定不予受理。"
                     "理由如下："),
        *[para(ITEM, f"{index}．" if len(reasons) > 1 else "", line) for index, line in enumerate(reasons, start=1)],
        Spacer(1, 2 * mm),
        para(LETTER, "请向有权受理的行政机关提出申请。本案占用的指标和预约已退回。"),
        _closing(para(LETTER, f"如不服本决定，可以自收到本通知书之日起 {remedies.reconsideration_days} 日内向"
                              f"{remedies.reconsideration_body}申请行政复议，或者自收到之日起 {remedies.suit_months} "
                              f"个月内向{remedies.court}提起行政诉讼。"), issuer(data.organ, data.issued_on)),
        _office(data.office),
    ]
    return pdf_bytes(story, title="不予受理通知书", subject=parties.case_id, footer=footer(parties.case_id))


def extension_notice_pdf(data: ExtensionData, number: str = "") -> bytes:
    """延期通知书 (L-EXTEND): the bureau extends the time limit once by ten working days, with the reason."""
    parties = data.parties
    rows = [*_rows(parties, ("通知日期", cn_date(data.issued_on))), [("原决定期限", cn_date(data.previous_due))],
            [("延长", f"{data.days} 个工作日")], [("延长后决定期限", cn_date(data.new_due))]]
    story: list[Flowable] = [
        *_heading("延期通知书", number),
        grid(rows),
        Spacer(1, 4 * mm),
        para(PLAIN, _addressee(parties)),
        para(LETTER, f"你单位提交的「{parties.item_title}」申请（案件编号 {parties.case_id}），因下列原因，不能在法定期限"
                     f"{cn_date(data.previous_due)}前作出决定："),
        *[para(ITEM, "", line) for line in _lines(data.reason)],
        _closing(para(LETTER, f"依照{LAW}第四十二条第一款，经本机关负责人批准，办理期限延长 {data.days} 个工作日，"
                              f"将于{cn_date(data.new_due)}前作出决定。办理期限只延长这一次。"),
                 issuer(data.organ, data.issued_on)),
        _office(data.office),
    ]
    return pdf_bytes(story, title="延期通知书", subject=parties.case_id, footer=footer(parties.case_id))
