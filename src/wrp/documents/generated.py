"""Documents the platform prints for people to sign, stamp or keep: the guide's attachments 附件1–3 prefilled from the
records, the consolidated correction notice (一次性告知书), the decision letter and the permit certificate.

Each builder is a pure function from a frozen dataclass of plain values to the bytes of an A4 PDF, so it is tested
without the database; the `*_data` functions gather those values from a case or a permit, and answer None when the
document does not apply to it (a housing loan declaration without relatives' housing, a decision before there is one).
The text of the attachments is the guide's, word for word, with its blanks filled; what is not recorded stays a blank
line to be written by hand. The signed originals (附件2, 附件3) carry the whole resident ID number, as the persons who
sign them write it; the notice and the decision, which are read by more people, carry the masked one.

Fonts are reportlab's built-in ones, so no font file ships with the platform: Chinese in the Adobe CID font
STSong-Light, Latin letters and digits in Times-Roman, as official documents set them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

import segno
from django.utils import timezone, translation
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus import paragraph as _paragraph

from wrp.accounts.models import Role
from wrp.accounts.services import user_id_number
from wrp.cases.facts import answer_keys, profile_facts
from wrp.cases.models import Case, CaseState, CorrectionNotice
from wrp.permits.models import Permit
from wrp.permits.verification import permit_status_on, status_words
from wrp.policy.codes import UNIT_SERVICES, ChangeSubtype, HousingKind, Service
from wrp.policy.items import ITEMS
from wrp.policy.labels import zh
from wrp.policy.materials import MATERIALS, WITH_HOUSING
from wrp.public.context import OFFICE

CJK = "STSong-Light"
LATIN = "Times-Roman"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))
# reportlab's line breaker keeps 、 and 。 off the start of a line but not the full-width comma, semicolon, colon and
# the like (GB/T 15834): add them, so such a mark hangs at the end of the line instead.
for _module in (_textsplit, _paragraph):
    _module.ALL_CANNOT_START += "".join(ch for ch in "，；：！？）》」』】〉”’" if ch not in _module.ALL_CANNOT_START)

BLANK = "________"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 26 * mm, 28 * mm, 24 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
GREY = colors.HexColor("#505a5f")
PLATFORM = "朝阳区工作居住证服务平台"
BUREAU = "朝阳区人力社保局"
_ASCII_RUN = re.compile(r"[\x21-\x7e\u00b7](?:[\x20-\x7e\u00b7]*[\x21-\x7e\u00b7])?")  # Latin, digits, middle dot


# --- plain data ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitDeclaration:
    """附件1 诚信声明（单位版）."""

    unit_name: str
    credit_code: str
    case_id: str = ""


@dataclass(frozen=True)
class PersonalDeclaration:
    """附件2 诚信声明（个人版）: the applicant's part and the unit's part."""

    applicant_name: str
    id_number: str  # whole: the applicant signs it
    unit_name: str
    credit_code: str
    item_title: str = ""
    case_id: str = ""


@dataclass(frozen=True)
class HousingLoanDeclaration:
    """附件3 房屋借住声明; "" / None for what is not recorded (left blank for the pen)."""

    borrower_name: str
    borrower_id_number: str  # whole: the borrower signs it
    since: date | None
    address: str
    owner_name: str
    owner_id_number: str
    relationship: str
    case_id: str = ""


@dataclass(frozen=True)
class Office:
    institution: str = OFFICE["institution"]
    address: str = OFFICE["address"]
    hours: str = OFFICE["hours"]
    phone: str = OFFICE["phone"]
    complaints: str = OFFICE["complaints"]


@dataclass(frozen=True)
class Problem:
    material_title: str  # "" for a problem not tied to one material
    text: str


@dataclass(frozen=True)
class CaseParties:
    """Who and what a notice or a decision is about; the resident ID only masked."""

    case_id: str
    item_title: str
    unit_name: str
    credit_code: str
    applicant_name: str = ""  # "" for the unit items
    applicant_id_masked: str = ""
    submitted_on: date | None = None


@dataclass(frozen=True)
class CorrectionNoticeData:
    parties: CaseParties
    issued_on: date
    problems: tuple[Problem, ...]
    paused: bool  # the clock stands still until the unit resubmits
    days_left_at_pause: int | None = None
    answered_on: date | None = None
    office: Office = field(default_factory=Office)


@dataclass(frozen=True)
class DecisionData:
    parties: CaseParties
    approved: bool
    decided_on: date
    decider_role: str  # 窗口工作人员 / 区人社局审批人
    decided_by_bureau: bool
    reasons: str = ""
    permit_number: str = ""
    permit_valid_until: date | None = None
    office: Office = field(default_factory=Office)


@dataclass(frozen=True)
class CertificateData:
    holder_name: str
    permit_number: str
    unit_name: str
    issued_on: date
    valid_until: date
    status: str  # in words, as of printed_on
    printed_on: date
    verify_url: str


# --- text and layout helpers ----------------------------------------------------------------------------------------


class Markup(str):
    """Paragraph markup made here (escaped already), as opposed to plain text from the records."""


def cn_date(value: date | None) -> str:
    """2026年11月26日; the blank to write by hand when there is no date."""
    return f"{value.year}年{value.month}月{value.day}日" if value else "______年____月____日"


def _runs(text: str) -> list[tuple[str, str]]:
    """The text cut into runs of one font each: Latin letters, digits and their punctuation in Times-Roman."""
    runs, last = [], 0
    for match in _ASCII_RUN.finditer(text):
        runs += [(text[last:match.start()], CJK), (match.group(), LATIN)]
        last = match.end()
    return [(run, font) for run, font in [*runs, (text[last:], CJK)] if run]


def _markup(text: str) -> Markup:
    """Plain text as paragraph markup: escaped, each Latin run in its font."""
    return Markup("".join(escape(run) if font == CJK else f'<font face="{font}">{escape(run)}</font>'
                          for run, font in _runs(text)))


def _filled(value: str, blank: str = BLANK) -> Markup:
    """A blank of the form filled in: the value underlined, or the blank line to write on."""
    value = (value or "").strip()
    return Markup(f"<u>{_markup(value)}</u>") if value else _markup(blank)


def _p(style: ParagraphStyle, *parts: str) -> Paragraph:
    """A paragraph of plain text and markup parts."""
    return Paragraph("".join(part if isinstance(part, Markup) else _markup(part) for part in parts), style)


def _style(name: str, *, size: float = 14, leading: float | None = None, align: int = TA_JUSTIFY,
           indent: float = 0, left: float = 0, before: float = 0, after: float = 0, colour: Any = colors.black,
           ) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=CJK, fontSize=size, leading=leading or size * 1.9, alignment=align, firstLineIndent=indent,
        leftIndent=left, spaceBefore=before, spaceAfter=after, textColor=colour, wordWrap="CJK",
    )


SIGN_AT = TEXT_WIDTH * 0.45  # signature lines start right of the middle, as on the guide's forms
ANNEX = _style("annex", size=13, align=TA_LEFT)
TITLE = _style("title", size=22, leading=30, align=TA_CENTER, before=4, after=16)
SUBTITLE = _style("subtitle", size=11, leading=16, align=TA_CENTER, after=14, colour=GREY)
BODY = _style("body", size=14, leading=27, indent=28)
LETTER = _style("letter", size=13, leading=23, indent=26)
PLAIN = _style("plain", size=12.5, leading=21, align=TA_LEFT)
ITEM = _style("item", size=12.5, leading=21, left=20, indent=-20, after=4)
SIGN = _style("sign", size=14, leading=27, align=TA_LEFT, left=SIGN_AT)
NOTE = _style("note", size=9.5, leading=13, align=TA_LEFT, left=SIGN_AT, colour=GREY)
RIGHT = _style("right", size=14, leading=26, align=TA_RIGHT)
CELL_LABEL = _style("cell_label", size=10.5, leading=15, align=TA_LEFT, colour=GREY)
CELL = _style("cell", size=11.5, leading=16, align=TA_LEFT)
SMALL = _style("small", size=9, leading=12, align=TA_LEFT, colour=GREY)
CAPTION = _style("caption", size=10, leading=14, align=TA_CENTER)


def _signature(label: str, *, note: str = "", space: float = 12 * mm) -> list[Flowable]:
    """A signature line: the label, the guide's note in small print under it, and room to sign."""
    return [_p(SIGN, label), *([_p(NOTE, note)] if note else []), Spacer(1, space)]


def _date_line() -> Table:
    """「年　月　日」 with room for the figures, written by hand when signing."""
    cell = SIGN.clone("date_cell", leftIndent=0)
    table = Table([["", _p(cell, "年"), "", _p(cell, "月"), "", _p(cell, "日")]], hAlign="LEFT",
                  colWidths=[SIGN_AT + 16 * mm, 7 * mm, 12 * mm, 7 * mm, 12 * mm, 7 * mm])
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _lines(rows: Sequence[tuple[str, str]], *, label_width: float, width: float) -> Table:
    """Labelled values, one a line, with a rule under each (the certificate's particulars)."""
    table = Table([[_p(CELL_LABEL, label), _p(CELL, value or "—")] for label, value in rows],
                  colWidths=[label_width, width - label_width])
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))
    return table


Pair = tuple[str, str]


def _grid(rows: Sequence[Sequence[Pair]]) -> Table:
    """The ruled particulars of a notice or a decision: one or two labelled values a row (one spans the row)."""
    # room for the widest case id and credit code (WWW… in Times-Roman) and a date; long values get a row of their own
    widths = [35 * mm, 60 * mm, 27 * mm, TEXT_WIDTH - 122 * mm]
    data, spans = [], []
    for index, row in enumerate(rows):
        cells: list[Any] = []
        for name, text in row:
            cells += [_p(CELL_LABEL, name), _p(CELL, text or "—")]
        if len(row) == 1:
            cells += ["", ""]
            spans.append(("SPAN", (1, index), (3, index)))
        else:
            spans.append(("BACKGROUND", (2, index), (2, index), colors.HexColor("#f3f2f1")))
        data.append(cells)
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a8f93")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        *spans,
    ]))
    return table


def _draw_mixed(canvas: Canvas, x: float, y: float, text: str, size: float, *, right: bool = False) -> None:
    """A line of page furniture on the canvas, each run in its font."""
    runs = _runs(text)
    if right:
        x -= sum(pdfmetrics.stringWidth(run, font, size) for run, font in runs)
    for run, font in runs:
        canvas.setFont(font, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def _pdf(story: list[Flowable], *, title: str, subject: str, footer: str) -> bytes:
    """The story on A4 with the platform's footer and the page number on every page."""

    def furniture(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(GREY)
        _draw_mixed(canvas, MARGIN_X, 12 * mm, footer, 8)
        _draw_mixed(canvas, PAGE_WIDTH - MARGIN_X, 12 * mm, f"第 {doc.page} 页", 8, right=True)
        canvas.restoreState()

    buffer = BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, subject=subject, author=OFFICE["institution"], creator=PLATFORM,
        lang="zh-CN",
    ).build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()


def _footer(case_id: str) -> str:
    return f"{PLATFORM}生成　案件编号 {case_id}" if case_id else f"{PLATFORM}生成"


def _issuer(name: str, on: date) -> KeepTogether:
    return KeepTogether([Spacer(1, 10 * mm), _p(RIGHT, name), _p(RIGHT, cn_date(on))])


# --- the builders ----------------------------------------------------------------------------------------------------

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
        _p(BODY, "本单位" + before, who, after),
        Spacer(1, 6 * mm),
        *_signature("单位负责人（签字）：", note="法人或授权人手签", space=9 * mm),
        _p(SIGN, "（聘用单位盖章）"),
        Spacer(1, 5 * mm),
        _date_line(),
    ]


def integrity_unit_pdf(data: UnitDeclaration) -> bytes:
    """附件1 诚信声明（单位版）, the unit's name and credit code filled in."""
    story: list[Flowable] = [
        _p(ANNEX, "附件1："),
        _p(TITLE, "诚信声明"),
        _p(PLAIN, "单位名称：", _filled(data.unit_name)),
        _p(PLAIN, "统一社会信用代码：", _filled(data.credit_code)),
        Spacer(1, 8 * mm),
        *_unit_part(Markup("")),
    ]
    return _pdf(story, title="诚信声明（单位版）", subject="附件1", footer=_footer(data.case_id))


def integrity_personal_pdf(data: PersonalDeclaration) -> bytes:
    """附件2 诚信声明（个人版）: the applicant's promise, then the unit's, naming the applicant."""
    story: list[Flowable] = [
        _p(ANNEX, "附件2："),
        _p(TITLE, "诚信声明"),
        _p(PLAIN, "申请人：", _filled(data.applicant_name), "　　公民身份号码：", _filled(data.id_number)),
        _p(PLAIN, "申请单位：", _filled(data.unit_name)),
        _p(PLAIN, "统一社会信用代码：", _filled(data.credit_code)),
        *([_p(PLAIN, "申报事项：", _filled(data.item_title))] if data.item_title else []),
        Spacer(1, 4 * mm),
        _p(BODY, PERSONAL_BODY),
        Spacer(1, 4 * mm),
        *_signature("申请人（签字）：", space=8 * mm),
        _date_line(),
        Spacer(1, 6 * mm),
        *_unit_part(_filled(data.applicant_name)),
    ]
    return _pdf(story, title="诚信声明（个人版）", subject="附件2", footer=_footer(data.case_id))


def housing_loan_pdf(data: HousingLoanDeclaration) -> bytes:
    """附件3 房屋借住声明, every recorded particular filled in, the others left blank."""
    story: list[Flowable] = [
        _p(ANNEX, "附件3："),
        _p(TITLE, "房屋借住声明"),
        Spacer(1, 4 * mm),
        _p(BODY,
           "本人（姓名）", _filled(data.borrower_name),
           "，身份证号：", _filled(data.borrower_id_number, BLANK * 2),
           "，于", _filled(cn_date(data.since)) if data.since else cn_date(None),
           "开始借住在", _filled(data.address, BLANK * 3),
           "（详细住址精确至门牌）。借住房屋的房主姓名", _filled(data.owner_name),
           "，身份证号", _filled(data.owner_id_number, BLANK * 2),
           "，本人与房主是", _filled(data.relationship),
           "关系（说明亲友关系），以上情况属实，特此声明。"),
        _p(BODY, "双方保证以上所述信息和提供的材料真实有效。"),
        Spacer(1, 16 * mm),
        *_signature("房主签字：", space=14 * mm),
        *_signature("借住人签字：", space=14 * mm),
        _date_line(),
    ]
    return _pdf(story, title="房屋借住声明", subject="附件3", footer=_footer(data.case_id))


def _party_rows(parties: CaseParties, dated: Pair) -> list[list[Pair]]:
    """Case, item, unit and (for a personal item) applicant with the masked ID; `dated` is the document's date."""
    rows: list[list[Pair]] = [
        [("案件编号", parties.case_id), ("提交日期", cn_date(parties.submitted_on) if parties.submitted_on else "—")],
        [("办理事项", parties.item_title)],
        [("申报单位", parties.unit_name)],
        [("统一社会信用代码", parties.credit_code), dated],
    ]
    if parties.applicant_name:
        rows += [[("申请人", parties.applicant_name)], [("公民身份号码", parties.applicant_id_masked)]]
    return rows


def _office_lines(office: Office) -> KeepTogether:
    return KeepTogether([
        _p(PLAIN, f"办理机构：{office.institution}"),
        _p(PLAIN, f"办理地点：{office.address}"),
        _p(PLAIN, f"办理时间：{office.hours}"),
        _p(PLAIN, f"联系电话：{office.phone}；投诉监督电话：{office.complaints}"),
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
        _p(ITEM, f"{index}．", f"《{problem.material_title}》：" if problem.material_title else "其他：", problem.text)
        for index, problem in enumerate(data.problems, start=1)
    ]
    story: list[Flowable] = [
        _p(TITLE, "补正材料一次性告知书"),
        _grid(_party_rows(parties, ("告知日期", cn_date(data.issued_on)))),
        Spacer(1, 6 * mm),
        _p(PLAIN, f"{parties.unit_name}："),
        _p(LETTER, f"你单位提交的「{parties.item_title}」申请（案件编号 {parties.case_id}），经审核，需补正以下 "
                 f"{len(data.problems)} 项内容。现一次性告知如下，请全部补正后重新提交："),
        Spacer(1, 2 * mm),
        *problems,
        Spacer(1, 4 * mm),
        _p(PLAIN, "计时状态：" + _clock_words(data)),
        _p(PLAIN, "上传的电子材料须印章清晰、内容完整（含封面、编号页）、不得有遮挡；内容连续、方向正确；格式为 PDF 扫描件。"),
        Spacer(1, 4 * mm),
        _office_lines(data.office),
        _issuer(data.office.institution, data.issued_on),
    ]
    return _pdf(story, title="补正材料一次性告知书", subject=parties.case_id, footer=_footer(parties.case_id))


def decision_pdf(data: DecisionData) -> bytes:
    """准予 / 不予办理决定书: the item, the decision, the reasons, who decided and when, and on an approval that
    concerns a permit its number and validity."""
    parties = data.parties
    verdict = "准予" if data.approved else "不予"
    addressee = parties.unit_name + (f"、{parties.applicant_name}" if parties.applicant_name else "")
    opening = f"你单位提交的「{parties.item_title}」申请（案件编号 {parties.case_id}），经审核，"
    decider = f"{BUREAU}（{data.decider_role}）" if data.decided_by_bureau else f"服务大厅窗口（{data.decider_role}）"
    rows = [*_party_rows(parties, ("决定日期", cn_date(data.decided_on))), [("决定", f"{verdict}办理")],
            [("决定人员", decider)]]
    story: list[Flowable] = [_p(TITLE, f"{verdict}办理决定书"), _grid(rows), Spacer(1, 6 * mm), _p(PLAIN, f"{addressee}：")]
    if data.approved:
        story.append(_p(LETTER, opening + "符合规定条件，决定准予办理。"))
        if data.permit_number:
            until = cn_date(data.permit_valid_until) if data.permit_valid_until else "—"
            story += [Spacer(1, 2 * mm), _grid([[("工作居住证编号", data.permit_number)], [("有效期至", until)]])]
    else:
        story.append(_p(LETTER, opening + "不符合规定条件，决定不予办理。理由如下："))
        lines = [line.strip() for line in data.reasons.splitlines() if line.strip()] or ["—"]
        story += [_p(ITEM, f"{index}．" if len(lines) > 1 else "", line) for index, line in enumerate(lines, start=1)]
    story += [
        Spacer(1, 4 * mm),
        _p(PLAIN, f"如有疑问，请联系{data.office.institution}，联系电话 {data.office.phone}；"
                  f"投诉监督电话 {data.office.complaints}。"),
        _issuer(BUREAU if data.decided_by_bureau else data.office.institution, data.decided_on),
    ]
    return _pdf(story, title=f"{verdict}办理决定书", subject=parties.case_id, footer=_footer(parties.case_id))


class QRCode(Flowable):
    """A QR code drawn as vector squares (crisp at any printer's resolution), its quiet zone included."""

    def __init__(self, content: str, *, size: float = 44 * mm, border: int = 4) -> None:
        super().__init__()
        self.matrix = segno.make(content, error="m", micro=False).matrix
        self.width = self.height = self.size = size
        self.border = border

    def draw(self) -> None:
        module = self.size / (len(self.matrix) + 2 * self.border)
        drawing = Drawing(self.size, self.size)
        for y, row in enumerate(self.matrix):
            top = self.size - (y + self.border + 1) * module
            x = 0
            while x < len(row):
                start = x
                while x < len(row) and row[x]:
                    x += 1
                if x > start:  # one rectangle per run of dark modules
                    drawing.add(Rect((start + self.border) * module, top, (x - start) * module, module,
                                     fillColor=colors.black, strokeColor=None, strokeWidth=0))
                x += 1
        drawing.drawOn(self.canv, 0, 0)


def certificate_pdf(data: CertificateData) -> bytes:
    """The permit certificate: name, number, unit, validity, and the QR code of the public verification page, which
    shows the permit's status live."""
    qr_column = 54 * mm
    details = _lines([
        ("姓名", data.holder_name),
        ("证件编号", data.permit_number),
        ("聘用单位", data.unit_name),
        ("发证日期", cn_date(data.issued_on)),
        ("有效期至", cn_date(data.valid_until)),
        ("证件状态", f"{data.status}（{cn_date(data.printed_on)}打印时）"),
    ], label_width=24 * mm, width=TEXT_WIDTH - qr_column)
    code = Table([[QRCode(data.verify_url)], [_p(CAPTION, "扫码核验证件当前状态")]], colWidths=[qr_column])
    code.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    body = Table([[details, code]], colWidths=[TEXT_WIDTH - qr_column, qr_column])
    body.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story: list[Flowable] = [
        Spacer(1, 6 * mm),
        _p(_style("cert_title", size=26, leading=34, align=TA_CENTER, after=4), "北京市工作居住证"),
        _p(SUBTITLE, "证件信息凭证"),
        Spacer(1, 4 * mm),
        body,
        Spacer(1, 10 * mm),
        _p(PLAIN, "证件是否有效，以扫描二维码打开的核验页面实时显示为准。核验页面仅显示隐去部分字符的姓名、"
                  "证件编号、证件状态和有效期。"),
        Spacer(1, 3 * mm),
        _p(SMALL, "核验地址：" + data.verify_url),
        _issuer(OFFICE["institution"], data.printed_on),
    ]
    return _pdf(story, title="北京市工作居住证", subject=data.permit_number,
                footer=f"{PLATFORM}生成　证件编号 {data.permit_number}")


# --- gathering the data from the records -----------------------------------------------------------------------------


def item_title(case: Case) -> str:
    """The item's title as the guide names it, with the kind of change for a basic information change."""
    title = ITEMS[Service(case.kind)].title_zh
    if case.kind == Service.INFO_CHANGE and case.subtype:
        title += f"（{zh(ChangeSubtype(case.subtype))}）"
    return title


def _name(user: Any) -> str:
    return (getattr(user, "real_name", "") or "").strip()


def _parties(case: Case) -> CaseParties:
    applicant = case.applicant
    return CaseParties(
        case_id=case.public_id,
        item_title=item_title(case),
        unit_name=case.unit.name,
        credit_code=case.unit.credit_code,
        applicant_name=_name(applicant) or (applicant.username if applicant else ""),
        applicant_id_masked=(applicant.id_number_masked if applicant else "") or "",
        submitted_on=case.accepted_on,
    )


def _personal(case: Case) -> bool:
    return case.kind not in UNIT_SERVICES and case.applicant_id is not None


def integrity_unit_data(case: Case) -> UnitDeclaration | None:
    if case.kind != Service.UNIT_OPENING:
        return None
    return UnitDeclaration(unit_name=case.unit.name, credit_code=case.unit.credit_code, case_id=case.public_id)


def integrity_personal_data(case: Case) -> PersonalDeclaration | None:
    if not _personal(case):
        return None
    applicant = case.applicant
    return PersonalDeclaration(
        applicant_name=_name(applicant), id_number=user_id_number(applicant) or "", unit_name=case.unit.name,
        credit_code=case.unit.credit_code, item_title=item_title(case), case_id=case.public_id,
    )


def case_housing(case: Case) -> dict[str, Any]:
    """The housing the case declares: the case's own answer where the kind carries one (an address change), else the
    applicant's profile; the declaration's particulars may also sit apart in the answers' `housing_loan`, which the
    policy never reads."""
    housing: Any = None
    if "housing" in answer_keys(case):
        housing = case.answers.get("housing")
    if not isinstance(housing, dict):
        housing = profile_facts(case.applicant).get("housing")
    housing = dict(housing) if isinstance(housing, dict) else {}
    extra = case.answers.get("housing_loan")
    if isinstance(extra, dict):
        housing.update({key: value for key, value in extra.items() if key != "kind"})
    return housing


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def housing_loan_data(case: Case) -> HousingLoanDeclaration | None:
    """附件3 applies where the case needs a home (initial, address change) and the home is a relative's."""
    if not _personal(case):
        return None
    if case.kind not in WITH_HOUSING and case.subtype != ChangeSubtype.ADDRESS:
        return None
    housing = case_housing(case)
    if housing.get("kind") != HousingKind.RELATIVE:
        return None

    def text(key: str) -> str:
        value = housing.get(key)
        return str(value).strip() if value is not None else ""

    return HousingLoanDeclaration(
        borrower_name=_name(case.applicant), borrower_id_number=user_id_number(case.applicant) or "",
        since=_iso_date(housing.get("since")), address=text("address"), owner_name=text("owner_name"),
        owner_id_number=text("owner_id_number").upper(), relationship=text("relationship"), case_id=case.public_id,
    )


def _problem(problem: dict[str, Any]) -> Problem:
    code = problem.get("material")
    material = MATERIALS.get(code) if code else None
    title = material.title_zh if material else (str(code) if code else "")
    return Problem(material_title=title, text=str(problem.get("text") or ""))


def correction_notice_data(case: Case) -> CorrectionNoticeData | None:
    """The latest notice of the case (None before any)."""
    notice = CorrectionNotice.objects.filter(case=case).order_by("-issued_at", "-id").first()
    if notice is None:
        return None
    latest = notice.answered_at is None
    return CorrectionNoticeData(
        parties=_parties(case),
        issued_on=timezone.localdate(notice.issued_at),
        problems=tuple(_problem(problem) for problem in notice.problems or []),
        paused=latest and case.state == CaseState.RETURNED and case.paused_on is not None,
        days_left_at_pause=case.days_left_at_pause if latest else None,
        answered_on=timezone.localdate(notice.answered_at) if notice.answered_at else None,
    )


def decision_data(case: Case) -> DecisionData | None:
    """The decision of an approved or rejected case (None before it, and for a withdrawn case)."""
    if case.state not in (CaseState.APPROVED, CaseState.REJECTED) or case.decided_at is None:
        return None
    approved = case.state == CaseState.APPROVED
    decider = case.decided_by
    role = getattr(decider, "role", "")
    with translation.override("zh-hans"):  # the letter is in Chinese whatever the page's language
        role_words = str(Role(role).label) if role in Role.values else "—"
    permit = case.permit if approved and case.permit_id else None
    return DecisionData(
        parties=_parties(case),
        approved=approved,
        decided_on=timezone.localdate(case.decided_at),
        decider_role=role_words,
        decided_by_bureau=role == Role.BUREAU_APPROVER,
        reasons=case.decision_reason if not approved else "",
        permit_number=permit.number if permit else "",
        permit_valid_until=permit.valid_until if permit else None,
    )


def certificate_data(permit: Permit, *, verify_url: str, today: date) -> CertificateData:
    return CertificateData(
        holder_name=_name(permit.holder) or permit.holder.username,
        permit_number=permit.number,
        unit_name=permit.unit.name,
        issued_on=permit.issued_on,
        valid_until=permit.valid_until,
        status=status_words(permit_status_on(permit, today)),
        printed_on=today,
        verify_url=verify_url,
    )


# --- one door for the views ------------------------------------------------------------------------------------------

CASE_DOCUMENTS: dict[str, tuple[Callable[[Case], Any], Callable[[Any], bytes]]] = {
    "integrity-unit": (integrity_unit_data, integrity_unit_pdf),
    "integrity-personal": (integrity_personal_data, integrity_personal_pdf),
    "housing-loan": (housing_loan_data, housing_loan_pdf),
    "correction-notice": (correction_notice_data, correction_notice_pdf),
    "decision": (decision_data, decision_pdf),
}


def case_document(case: Case, kind: str) -> bytes | None:
    """The PDF of one of the case's documents, or None when the kind is unknown or does not apply to the case."""
    if kind not in CASE_DOCUMENTS:
        return None
    gather, build = CASE_DOCUMENTS[kind]
    data = gather(case)
    return None if data is None else build(data)


def case_documents_available(case: Case) -> list[str]:
    """The kinds of document the case has now (for the case page's links)."""
    return [kind for kind, (gather, _build) in CASE_DOCUMENTS.items() if gather(case) is not None]
