"""The printing layer (wrp.documents.printing), without the database: the guide's attachments 附件1–3, the correction
notice, the decision letter and the certificate — what each PDF says (read back with poppler's pdftotext), that they
are plain A4 with their one font embedded. The first page of every document is rendered to test-output/documents/ for
a person to look at.
"""


import io
import os
import subprocess
from datetime import date

import pikepdf
import pytest

from tests.documents.printed import (
    CREDIT_CODE,
    MASKED_ID,
    OUTPUT,
    OWNER_ID,
    WHOLE_ID,
    needs_pdftoppm,
    needs_pdftotext,
    pdf_text,
)
from wrp.documents.printing import (
    CaseParties,
    CertificateData,
    CorrectionNoticeData,
    DecisionData,
    HousingLoanDeclaration,
    PersonalDeclaration,
    Problem,
    Reason,
    UnitDeclaration,
    certificate_pdf,
    correction_notice_pdf,
    decision_pdf,
    housing_loan_pdf,
    integrity_personal_pdf,
    integrity_unit_pdf,
)

# --- sample data (also the PNGs under test-output) ----------------------------------------------------------------

PARTIES = CaseParties(
    case_id="C2611ABCDEFGH", item_title="单位为聘用人员办理北京市工作居住证初次申请", unit_name="北京甲科技有限公司",
    credit_code=CREDIT_CODE, applicant_name="张三丰", applicant_id_masked=MASKED_ID, submitted_on=date(2026, 11, 2),
)
UNIT_DECLARATION = UnitDeclaration(unit_name="北京甲科技有限公司", credit_code=CREDIT_CODE, case_id="C2611UNIT0001")
PERSONAL_DECLARATION = PersonalDeclaration(
    applicant_name="张三丰", id_number=WHOLE_ID, unit_name="北京甲科技有限公司", credit_code=CREDIT_CODE,
    item_title=PARTIES.item_title, case_id=PARTIES.case_id,
)
HOUSING_LOAN = HousingLoanDeclaration(
    borrower_name="张三丰", borrower_id_number=WHOLE_ID, since=date(2024, 3, 1),
    address="北京市朝阳区将台路5号院3号楼2单元401室", owner_name="李四", owner_id_number=OWNER_ID, relationship="舅甥",
    case_id=PARTIES.case_id,
)
NOTICE = CorrectionNoticeData(
    parties=PARTIES, issued_on=date(2026, 11, 20), paused=True, days_left_at_pause=12,
    problems=(
        Problem("诚信声明（个人版，附件2）", "单位负责人未签字，请签字并加盖公章后重新上传。"),
        Problem("近12个月社会保险个人权益记录", "缺少2026年3月的缴费记录。"),
        Problem("", "请补充说明申请人2025年的工作经历。"),
    ),
)
APPROVAL = DecisionData(
    parties=PARTIES, approved=True, decided_on=date(2026, 11, 26), decider_role="区人社局审批人",
    decided_by_bureau=True, permit_number="WRP7K3M9Q2X4TZ8", permit_valid_until=date(2029, 11, 25),
    number="朝人社工居〔2026〕第000123号", decision="核发工作居住证，有效期三年",
    particulars=(("随往子女", "张小明（政策内生育）"),),
)
REJECTION = DecisionData(
    parties=PARTIES, approved=False, decided_on=date(2026, 11, 26), decider_role="窗口工作人员", decided_by_bureau=False,
    reasons=(Reason("申请人近12个月应税收入低于规定标准。", "A-INCOME G3.申请条件.2"),
             Reason("劳动合同剩余期限不足三个月。")),
    number="朝人社工居〔2026〕第000124号",
)
CERTIFICATE = CertificateData(
    holder_name="张三丰", permit_number="WRP7K3M9Q2X4TZ8", unit_name="北京甲科技有限公司", issued_on=date(2026, 11, 26),
    valid_until=date(2029, 11, 25), holder_id_masked=MASKED_ID, children=("张小明（政策内生育）",),
    number="朝人社工居〔2026〕第000125号",
    verify_url="http://testserver/verify/MTIzNDU:POcuUyGi5nFPxKQ4XYzIGdo2IgK1dnWPhZ4m6Jz6OE0/",
)

SAMPLES = {
    "integrity-unit": lambda: integrity_unit_pdf(UNIT_DECLARATION),
    "integrity-personal": lambda: integrity_personal_pdf(PERSONAL_DECLARATION),
    "housing-loan": lambda: housing_loan_pdf(HOUSING_LOAN),
    "housing-loan-blanks": lambda: housing_loan_pdf(HousingLoanDeclaration("张三丰", WHOLE_ID, None, "", "", "", "")),
    "correction-notice": lambda: correction_notice_pdf(NOTICE),
    "decision-approval": lambda: decision_pdf(APPROVAL),
    "decision-rejection": lambda: decision_pdf(REJECTION),
    "certificate": lambda: certificate_pdf(CERTIFICATE),
}


# --- the builders, without the database ---------------------------------------------------------------------------


@needs_pdftotext
def test_unit_declaration_is_the_guides_text_with_the_unit_filled_in(tmp_path):
    text = pdf_text(integrity_unit_pdf(UNIT_DECLARATION), tmp_path)
    assert "附件1" in text
    assert "诚信声明" in text
    assert "北京甲科技有限公司" in text
    assert CREDIT_CODE in text
    assert ("本单位对提供的材料进行了认真审核，保证所填写信息和提供材料真实有效，无任何虚假申报情况。若因本单位未履行审查"
            "职责造成申报材料虚假的，本单位愿意接受行政处理，并承担由此带来的相应后果。") in text
    assert "单位负责人（签字）：" in text
    assert "法人或授权人手签" in text
    assert "（聘用单位盖章）" in text
    assert "年月日" in text


@needs_pdftotext
def test_personal_declaration_carries_the_whole_id_and_names_the_applicant_in_the_units_part(tmp_path):
    text = pdf_text(integrity_personal_pdf(PERSONAL_DECLARATION), tmp_path)
    assert "附件2" in text
    assert WHOLE_ID in text
    assert MASKED_ID not in text
    assert ("本人郑重承诺所填写信息和提供材料均真实有效，无任何虚假申报情况，本人遵纪守法，无刑事犯罪记录，未参加过国家禁止"
            "的社会活动，无政治、经济问题。以上如不真实本人愿意永久放弃申报资格，并承担由此带来的相应后果。") in text
    assert "申请人（签字）：" in text
    assert "本单位对张三丰提供的材料进行了认真审核" in text
    assert "北京甲科技有限公司" in text
    assert CREDIT_CODE in text
    assert text.count("年月日") == 2


@needs_pdftotext
def test_personal_declaration_without_a_name_leaves_the_units_blank_to_fill(tmp_path):
    data = PersonalDeclaration(applicant_name="", id_number="", unit_name="北京甲科技有限公司", credit_code=CREDIT_CODE)
    assert "本单位对________提供的材料" in pdf_text(integrity_personal_pdf(data), tmp_path)


@needs_pdftotext
def test_housing_loan_declaration_fills_every_recorded_particular(tmp_path):
    text = pdf_text(housing_loan_pdf(HOUSING_LOAN), tmp_path)
    assert "附件3" in text
    assert "房屋借住声明" in text
    assert (f"本人（姓名）张三丰，身份证号：{WHOLE_ID}，于2024年3月1日开始借住在北京市朝阳区将台路5号院3号楼2单元401室"
            f"（详细住址精确至门牌）。借住房屋的房主姓名李四，身份证号{OWNER_ID}，本人与房主是舅甥关系（说明亲友关系），"
            "以上情况属实，特此声明。") in text
    assert "双方保证以上所述信息和提供的材料真实有效。" in text
    assert "房主签字：" in text
    assert "借住人签字：" in text


@needs_pdftotext
def test_housing_loan_declaration_leaves_blanks_for_what_is_not_recorded(tmp_path):
    text = pdf_text(housing_loan_pdf(HousingLoanDeclaration("张三丰", WHOLE_ID, None, "", "", "", "")), tmp_path)
    assert f"本人（姓名）张三丰，身份证号：{WHOLE_ID}，于______年____月____日开始借住在________" in text
    assert "房主姓名________，身份证号________" in text
    assert "本人与房主是________关系" in text


@needs_pdftotext
def test_correction_notice_numbers_each_problem_with_its_materials_title(tmp_path):
    text = pdf_text(correction_notice_pdf(NOTICE), tmp_path)
    assert "补正材料一次性告知书" in text
    assert "C2611ABCDEFGH" in text
    assert "北京甲科技有限公司" in text
    assert "张三丰" in text
    assert MASKED_ID in text
    assert WHOLE_ID not in text
    assert "需补正以下3项内容" in text
    assert "1．《诚信声明（个人版，附件2）》：单位负责人未签字，请签字并加盖公章后重新上传。" in text
    assert "2．《近12个月社会保险个人权益记录》：缺少2026年3月的缴费记录。" in text
    assert "3．其他：请补充说明申请人2025年的工作经历。" in text
    assert "告知日期2026年11月20日" in text
    assert "补正中，计时暂停，暂停时剩余12个工作日" in text
    assert "北京市朝阳区将台路5号院15号楼A座（普天实业创新园内）" in text
    assert "010-57596100" in text


@needs_pdftotext
def test_correction_notice_once_answered_says_the_clock_runs_again(tmp_path):
    answered = CorrectionNoticeData(parties=PARTIES, issued_on=date(2026, 11, 20), problems=NOTICE.problems,
                                    paused=False, answered_on=date(2026, 11, 24))
    text = pdf_text(correction_notice_pdf(answered), tmp_path)
    assert "已于2026年11月24日补正提交，计时已恢复" in text
    assert "计时暂停" not in text


@needs_pdftotext
def test_approval_names_the_item_the_decider_the_date_and_the_permit(tmp_path):
    text = pdf_text(decision_pdf(APPROVAL), tmp_path)
    assert "准予办理决定书" in text
    assert "单位为聘用人员办理北京市工作居住证初次申请" in text
    assert "决定准予办理：核发工作居住证，有效期三年。" in text
    assert "随往子女张小明（政策内生育）" in text
    assert "朝人社工居〔2026〕第000123号" in text
    assert "北京市朝阳区人力资源和社会保障局（区人社局审批人）" in text
    assert "决定日期2026年11月26日" in text
    assert "工作居住证编号WRP7K3M9Q2X4TZ8" in text
    assert "有效期至2029年11月25日" in text
    assert MASKED_ID in text
    assert WHOLE_ID not in text


@needs_pdftotext
def test_rejection_gives_each_reason(tmp_path):
    text = pdf_text(decision_pdf(REJECTION), tmp_path)
    assert "不予办理决定书" in text
    assert "决定不予办理。理由如下：" in text
    assert "1．申请人近12个月应税收入低于规定标准。（依据：A-INCOMEG3.申请条件.2）" in text
    assert "2．劳动合同剩余期限不足三个月。" in text
    assert "服务大厅窗口（窗口工作人员）" in text
    assert "工作居住证编号" not in text
    assert "朝人社工居〔2026〕第000124号" in text
    assert "60日内向北京市朝阳区人民政府申请行政复议" in text
    assert "6个月内向有管辖权的人民法院提起行政诉讼" in text
    assert "北京市朝阳区人力资源和社会保障局" in text  # the organ's full name, never a login name


@needs_pdftotext
def test_the_certificate_carries_the_masked_id_the_children_the_organ_and_its_number(tmp_path):
    text = pdf_text(certificate_pdf(CERTIFICATE), tmp_path)
    assert MASKED_ID in text
    assert WHOLE_ID not in text
    assert "随往子女张小明（政策内生育）" in text
    assert "发证机关北京市朝阳区人力资源和社会保障局" in text
    assert "朝人社工居〔2026〕第000125号" in text


@needs_pdftotext
def test_the_widest_numbers_stay_on_one_line(tmp_path):
    """Permit numbers, case ids and credit codes may be all Ws (the widest letter) where letters may stand: none is
    broken inside its cell."""
    parties = CaseParties(case_id="C2611WWWWWWWW", item_title=PARTIES.item_title, unit_name=PARTIES.unit_name,
                          credit_code="91110105WWWWWWWWWW", applicant_name="张三丰", applicant_id_masked=MASKED_ID,
                          submitted_on=date(2026, 11, 22))
    decision = DecisionData(parties=parties, approved=True, decided_on=date(2026, 12, 28), decider_role="区人社局审批人",
                            decided_by_bureau=True, permit_number="WRPWWWWWWWWWWWW", permit_valid_until=date(2029, 12, 27))
    text = pdf_text(decision_pdf(decision), tmp_path)
    for value in ("C2611WWWWWWWW", "91110105WWWWWWWWWW", "WRPWWWWWWWWWWWW", MASKED_ID, "2026年12月28日", "2029年12月27日"):
        assert value in text


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_document_is_a4_with_its_font_embedded(name):
    with pikepdf.open(io.BytesIO(SAMPLES[name]())) as pdf:
        assert len(pdf.pages) <= 2  # a refusal's reasons and remedies may need a second page
        for page in pdf.pages:
            box = [float(value) for value in page.mediabox]
            assert box == pytest.approx([0, 0, 595.2756, 841.8898], abs=0.01)
        fonts = list(pdf.pages[0].resources.Font.values())
        assert fonts
        for font in fonts:
            assert str(font.BaseFont).endswith("+NotoSerifSC-Regular")  # a subset of the embedded font
            assert "/FontFile2" in font.FontDescriptor


@needs_pdftoppm
def test_first_page_of_every_document_renders_to_png(tmp_path):
    """test-output/documents/<name>.png at 80 dpi, to be looked at."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("FONTCONFIG")}  # fonts embedded
    for name, build in SAMPLES.items():
        source = tmp_path / f"{name}.pdf"
        source.write_bytes(build())
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(source),
                        str(OUTPUT / name)], env=env, check=True, timeout=60, capture_output=True)
        png = OUTPUT / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 5000
