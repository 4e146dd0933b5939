"""The guide's attachments 附件1–3, word for word, their blanks filled from the records: the signed originals carry
the whole resident ID number, as the persons who sign them write it. Each signature and its date line are one
`signature_block`, so a page never ends between them."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from wrp.documents.printing.data import HousingLoanDeclaration, PersonalDeclaration, UnitDeclaration
from wrp.documents.printing.layout import (
    ANNEX,
    BLANK,
    BODY,
    PLAIN,
    SIGN,
    TITLE,
    Markup,
    cn_date,
    filled,
    footer,
    para,
    pdf_bytes,
    signature,
    signature_block,
)

UNIT_BODY = (
    "对{}提供的材料进行了认真审核，保证所填写信息和提供材料真实有效，无任何虚假申报情况。"
    "若因本单位未履行审查职责造成申报材料虚假的，本单位愿意接受行政处理，并承担由此带来的相应后果。"
)
PERSONAL_BODY = (
    "本人郑重承诺所填写信息和提供材料均真实有效，无任何虚假申报情况，本人遵纪守法，无刑事犯罪记录，"
    "未参加过国家禁止的社会活动，无政治、经济问题。以上如不真实本人愿意永久放弃申报资格，并承担由此带来的相应后果。"
)


def _unit_part(who: Markup) -> list[Flowable]:
    """The unit's declaration of 附件1, and the second half of 附件2 (naming the applicant)."""
    before, after = UNIT_BODY.split("{}")
    return [
        para(BODY, "本单位" + before, who, after),
        Spacer(1, 6 * mm),
        signature_block(signature("单位负责人（签字）：", note="法人或授权人手签", space=9 * mm),
                        para(SIGN, "（聘用单位盖章）"), Spacer(1, 5 * mm)),
    ]


def integrity_unit_pdf(data: UnitDeclaration) -> bytes:
    """附件1 诚信声明（单位版）, the unit's name and credit code filled in."""
    story: list[Flowable] = [
        para(ANNEX, "附件1："),
        para(TITLE, "诚信声明"),
        para(PLAIN, "单位名称：", filled(data.unit_name)),
        para(PLAIN, "统一社会信用代码：", filled(data.credit_code)),
        Spacer(1, 8 * mm),
        *_unit_part(Markup("")),
    ]
    return pdf_bytes(story, title="诚信声明（单位版）", subject="附件1", footer=footer(data.case_id))


def integrity_personal_pdf(data: PersonalDeclaration) -> bytes:
    """附件2 诚信声明（个人版）: the applicant's promise, then the unit's, naming the applicant."""
    story: list[Flowable] = [
        para(ANNEX, "附件2："),
        para(TITLE, "诚信声明"),
        para(PLAIN, "申请人：", filled(data.applicant_name), "　　公民身份号码：", filled(data.id_number)),
        para(PLAIN, "申请单位：", filled(data.unit_name)),
        para(PLAIN, "统一社会信用代码：", filled(data.credit_code)),
        *([para(PLAIN, "申报事项：", filled(data.item_title))] if data.item_title else []),
        Spacer(1, 4 * mm),
        para(BODY, PERSONAL_BODY),
        Spacer(1, 4 * mm),
        signature_block(signature("申请人（签字）：", space=8 * mm)),
        Spacer(1, 6 * mm),
        *_unit_part(filled(data.applicant_name)),
    ]
    return pdf_bytes(story, title="诚信声明（个人版）", subject="附件2", footer=footer(data.case_id))


def housing_loan_pdf(data: HousingLoanDeclaration) -> bytes:
    """附件3 房屋借住声明, every recorded particular filled in, the others left blank."""
    story: list[Flowable] = [
        para(ANNEX, "附件3："),
        para(TITLE, "房屋借住声明"),
        Spacer(1, 4 * mm),
        para(BODY,
           "本人（姓名）", filled(data.borrower_name),
           "，身份证号：", filled(data.borrower_id_number, BLANK * 2),
           "，于", filled(cn_date(data.since)) if data.since else cn_date(None),
           "开始借住在", filled(data.address, BLANK * 3),
           "（详细住址精确至门牌）。借住房屋的房主姓名", filled(data.owner_name),
           "，身份证号", filled(data.owner_id_number, BLANK * 2),
           "，本人与房主是", filled(data.relationship),
           "关系（说明亲友关系），以上情况属实，特此声明。"),
        para(BODY, "双方保证以上所述信息和提供的材料真实有效。"),
        Spacer(1, 16 * mm),
        signature_block(signature("房主签字：", space=14 * mm), signature("借住人签字：", space=14 * mm)),
    ]
    return pdf_bytes(story, title="房屋借住声明", subject="附件3", footer=footer(data.case_id))
