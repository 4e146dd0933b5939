"""The permit certificate: the particulars (the holder with the masked ID number, the accompanying children, the
unit, the validity), the issuing organ and the 文号, and the QR code of the public verification page, drawn as vector
squares so that it stays crisp at any printer's resolution. Issued once when the permit is issued or changed, it
states no status: the verification page shows the status live."""

from __future__ import annotations

import segno
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from wrp.documents.printing.data import CertificateData
from wrp.documents.printing.layout import (
    CAPTION,
    PLAIN,
    PLATFORM,
    SMALL,
    SUBTITLE,
    TEXT_WIDTH,
    cn_date,
    issuer,
    lines_table,
    make_style,
    para,
    pdf_bytes,
)


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
    """The permit certificate: name, masked ID number, number, unit, children, validity, the organ and the 文号, and
    the QR code of the public verification page, which shows the permit's status live."""
    qr_column = 54 * mm
    details = lines_table([
        ("姓名", data.holder_name),
        ("公民身份号码", data.holder_id_masked),
        ("证件编号", data.permit_number),
        ("聘用单位", data.unit_name),
        ("随往子女", "、".join(data.children) if data.children else "无"),
        ("发证日期", cn_date(data.issued_on)),
        ("有效期至", cn_date(data.valid_until)),
        ("发证机关", data.organ),
    ], label_width=24 * mm, width=TEXT_WIDTH - qr_column)
    code = Table([[QRCode(data.verify_url)], [para(CAPTION, "扫码核验证件当前状态")]], colWidths=[qr_column])
    code.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    body = Table([[details, code]], colWidths=[TEXT_WIDTH - qr_column, qr_column])
    body.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story: list[Flowable] = [
        Spacer(1, 6 * mm),
        para(make_style("cert_title", size=26, leading=34, align=TA_CENTER, after=4), "北京市工作居住证"),
        para(SUBTITLE, data.number or "证件信息凭证"),
        Spacer(1, 4 * mm),
        body,
        Spacer(1, 10 * mm),
        para(PLAIN, "证件是否有效，以扫描二维码打开的核验页面实时显示为准。核验页面仅显示隐去部分字符的姓名、"
                  "证件编号、证件状态和有效期。"),
        Spacer(1, 3 * mm),
        para(SMALL, "核验地址：" + data.verify_url),
        issuer(data.organ, data.issued_on),
    ]
    return pdf_bytes(story, title="北京市工作居住证", subject=data.permit_number,
                     footer=f"{PLATFORM}生成　证件编号 {data.permit_number}")
