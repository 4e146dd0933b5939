"""Every printed document prints anywhere: `pdffonts` lists only embedded fonts, poppler renders it with no font
configuration of ours and no warning about a missing glyph or a substituted font, and the text read back holds the
Chinese — with a 60-character unit name and a rare (CJK Extension A) character in a name. Signature blocks keep their
date on their page, and every letter carries the seal area. Without the database."""

import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from reportlab.lib.units import mm

from wrp.documents.printing import (
    CaseParties,
    CertificateData,
    CorrectionNoticeData,
    DecisionData,
    HousingLoanDeclaration,
    PersonalDeclaration,
    Problem,
    UnitDeclaration,
    certificate_pdf,
    correction_notice_pdf,
    decision_pdf,
    housing_loan_pdf,
    integrity_personal_pdf,
    integrity_unit_pdf,
    layout,
)
from wrp.documents.printing.declarations import UNIT_BODY

needs_poppler = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("pdffonts", "pdftoppm", "pdftotext")),
    reason="poppler-utils not installed (scripts/ensure-browser.sh installs it)",
)

LONG_UNIT = ("北京市朝阳区" + "望京酒仙桥将台东坝金盏崔各庄" * 4)[:54] + "科技有限公司"
RARE_NAME = "刘䶮"  # U+4DAE, CJK Extension A (Noto Serif SC lacks the Extension B 𠮷)
CREDIT_CODE = "91110105MA01234567"
WHOLE_ID = "11010519491231002X"
MASKED_ID = "110105********002X"
PARTIES = CaseParties(
    case_id="C2611ABCDEFGH", item_title="单位为聘用人员办理北京市工作居住证初次申请", unit_name=LONG_UNIT,
    credit_code=CREDIT_CODE, applicant_name=RARE_NAME, applicant_id_masked=MASKED_ID, submitted_on=date(2026, 11, 2),
)
BUILDERS = {
    "integrity_unit_pdf": lambda: integrity_unit_pdf(UnitDeclaration(LONG_UNIT, CREDIT_CODE, "C2611ABCDEFGH")),
    "integrity_personal_pdf": lambda: integrity_personal_pdf(PersonalDeclaration(
        RARE_NAME, WHOLE_ID, LONG_UNIT, CREDIT_CODE, PARTIES.item_title, PARTIES.case_id)),
    "housing_loan_pdf": lambda: housing_loan_pdf(HousingLoanDeclaration(
        RARE_NAME, WHOLE_ID, date(2024, 3, 1), "北京市朝阳区将台路5号院3号楼2单元401室", "李四", "110105196001010012",
        "舅甥", PARTIES.case_id)),
    "correction_notice_pdf": lambda: correction_notice_pdf(CorrectionNoticeData(
        parties=PARTIES, issued_on=date(2026, 11, 20), paused=True, days_left_at_pause=12,
        problems=(Problem("诚信声明（个人版，附件2）", "单位负责人未签字，请签字并加盖公章后重新上传。"),))),
    "decision_pdf": lambda: decision_pdf(DecisionData(
        parties=PARTIES, approved=True, decided_on=date(2026, 11, 26), decider_role="区人社局审批人",
        decided_by_bureau=True, permit_number="WRP7K3M9Q2X4TZ8", permit_valid_until=date(2029, 11, 25))),
    "certificate_pdf": lambda: certificate_pdf(CertificateData(
        holder_name=RARE_NAME, permit_number="WRP7K3M9Q2X4TZ8", unit_name=LONG_UNIT, issued_on=date(2026, 11, 26),
        valid_until=date(2029, 11, 25), verify_url="http://testserver/verify/abc/")),
}
LETTERS = ("correction_notice_pdf", "decision_pdf", "certificate_pdf")
# what poppler says when a font is not embedded, a glyph is missing or a font is substituted
POPPLER_FONT_WARNING = re.compile(r"font|glyph|substitut|missing", re.IGNORECASE)


def _poppler_env() -> dict[str, str]:
    """The environment as a person has it: no fontconfig file or path of ours."""
    return {key: value for key, value in os.environ.items() if not key.startswith("FONTCONFIG")}


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120, env=_poppler_env())


# the date line 「年　月　日」 as pdftotext reads it (the footer on the same height may come between)
DATE_LINE = re.compile(r"年.*月.*日")


def _pages_text(path: Path) -> list[str]:
    """The text of each page, white space removed."""
    text = _run("pdftotext", "-enc", "UTF-8", str(path), "-").stdout
    return ["".join(page.split()) for page in text.split("\f")[:-1] or [text]]


def test_long_unit_name_is_sixty_characters():
    assert len(LONG_UNIT) == 60


def test_the_font_is_the_committed_open_font_licensed_truetype():
    assert layout.FONT_FILE.is_file()
    assert layout.FONT_FILE.read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType outlines (glyf), not CFF
    licence = (layout.FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL Open Font License" in licence
    assert layout.LATIN == layout.CJK  # Latin letters too come from the embedded font


@needs_poppler
@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_font_is_embedded_and_renders_without_warnings(name, tmp_path):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(BUILDERS[name]())
    fonts = _run("pdffonts", str(path))
    rows = fonts.stdout.splitlines()[2:]
    assert rows, fonts.stdout
    for row in rows:
        columns = row.split()
        assert "NotoSerifSC" in columns[0], row
        emb = columns[-5]  # name type encoding emb sub uni id gen: emb is 5th from the end
        assert emb == "yes", row
    rendered = _run("pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / name))
    assert not POPPLER_FONT_WARNING.search(rendered.stderr), rendered.stderr
    assert list(tmp_path.glob(f"{name}*.png"))
    text = "".join(_pages_text(path))
    assert "北京" in text or "借住" in text
    if name != "housing_loan_pdf":
        assert LONG_UNIT in text
    if name != "integrity_unit_pdf":
        assert RARE_NAME in text


@needs_poppler
def test_the_rare_character_is_drawn_not_a_box(tmp_path):
    """䶮 has a glyph of its own: rendered alone it puts ink on the page, unlike a character the font lacks."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(layout.CJK).face
    assert ord("䶮") in face.charToGlyph
    assert ord("𠮷") not in face.charToGlyph  # stated: Extension B is not in Noto Serif SC


@needs_poppler
@pytest.mark.parametrize("name", LETTERS)
def test_every_letter_has_the_seal_area_by_the_issuer(name, tmp_path):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(BUILDERS[name]())
    last = _pages_text(path)[-1]
    assert f"（{layout.SEAL_LABEL}）" in last
    assert "2026年11月" in last  # the issuer's date sits with the seal area on the same page


def _keeps_label_with_date(pages: list[str], label: str) -> None:
    holding = [page for page in pages if label in page]
    assert holding, label
    for page in holding:
        after = page[page.rindex(label):]
        assert DATE_LINE.search(after), (label, page[-200:])


@needs_poppler
@pytest.mark.parametrize("filler_lines", [5, 6, 12, 18])
def test_signature_label_and_date_stay_on_one_page(filler_lines, tmp_path):
    """Paragraphs of a long unit name push the signature block down the page: with 6, 12 and 18 of them the date line
    alone would fall onto the next page without the block (measured); the last page holds label and date together."""
    from reportlab.platypus import Spacer

    from wrp.documents.printing.layout import BODY, SIGN, para, pdf_bytes, signature, signature_block

    story = [para(BODY, LONG_UNIT * 2) for _ in range(filler_lines)]
    story += [signature_block(signature("单位负责人（签字）：", note="法人或授权人手签", space=9 * mm),
                              para(SIGN, "（聘用单位盖章）"), Spacer(1, 5 * mm))]
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf_bytes(story, title="t", subject="t", footer="t"))
    pages = _pages_text(path)
    assert len(pages) > 1 or filler_lines < 6
    assert "单位负责人（签字）" in pages[-1]
    assert DATE_LINE.search(pages[-1][pages[-1].index("单位负责人（签字）"):])
    assert "年" not in "".join(pages[:-1])  # the date line is the only 年: never alone on an earlier page


@needs_poppler
@pytest.mark.parametrize("repeat", [1, 6, 10, 14, 18])
def test_declarations_keep_each_signature_with_its_date(repeat, tmp_path):
    """附件1–3 with ever longer unit names: every page that has a signature label has its date line after it."""
    unit = LONG_UNIT * repeat
    documents = {
        "unit": integrity_unit_pdf(UnitDeclaration(unit, CREDIT_CODE, "C1")),
        "personal": integrity_personal_pdf(PersonalDeclaration(RARE_NAME, WHOLE_ID, unit, CREDIT_CODE, "初次申请", "C1")),
        "housing": housing_loan_pdf(HousingLoanDeclaration(RARE_NAME, WHOLE_ID, None, unit, "", "", "", "C1")),
    }
    for name, data in documents.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        pages = _pages_text(path)
        labels = {"unit": ["单位负责人（签字）"], "personal": ["申请人（签字）", "单位负责人（签字）"],
                  "housing": ["借住人签字"]}[name]
        for label in labels:
            _keeps_label_with_date(pages, label)
        assert DATE_LINE.search(pages[-1])
        assert any(word in pages[-1] for word in ("签字", "盖章"))
    assert UNIT_BODY.split("{}")[0][:10] in "".join(_pages_text(tmp_path / "unit.pdf"))
