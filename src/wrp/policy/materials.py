"""The materials checklist of POLICY §8: what each case must carry, and what each material must contain.

Every upload is a PDF scan, stamps clear, complete (cover and numbered pages), unobstructed, continuous and upright;
printed (non-original) pages carry the unit's official or HR seal. The checklist of a case is exactly the union of
the rows that apply to its service and facts, one code each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wrp.policy.codes import HOME_DISTRICT, ChangeSubtype, HousingKind, Service
from wrp.policy.rules.conditions import CONDITION_MATERIALS

if TYPE_CHECKING:
    from wrp.policy.rules.base import ApplicantLike, UnitLike


@dataclass(frozen=True)
class Material:
    code: str
    title_zh: str
    title_en: str
    contains_zh: str
    contains_en: str
    colour_original: bool = True  # 原件彩色扫描件: the guide asks for a colour scan of the original


_CATALOGUE = (
    Material(
        "business_license",
        "营业执照副本或事业单位法人证书副本",
        "Business licence or public-institution certificate",
        "营业执照副本原件或事业单位法人证书副本原件的彩色扫描件",
        "Colour scan of the original duplicate licence or legal-person certificate",
    ),
    Material(
        "unit_integrity_declaration",
        "诚信声明（单位版，附件1）",
        "Integrity declaration, unit version (annex 1)",
        "法人或授权人手写签字，加盖公章或人事部门专用章",
        "Signed by hand by the legal representative or an authorised person, with the unit's official or HR seal",
    ),
    Material(
        "unit_tax_certificates",
        "本区近一年或近三年缴纳税费凭证",
        "Tax receipts in Chaoyang (last 1 or 3 years)",
        "涉税信息查询告知书或企业税收完税凭证；告知书须加盖单位公章或人事部门专用章",
        "Tax information notice or tax payment certificates; the notice stamped with the unit's official or HR seal",
    ),
    Material(
        "handler_id_card",
        "单位经办人身份证（正反面）",
        "Handler's ID card (both sides)",
        "经办人居民身份证原件正反面彩色扫描件",
        "Colour scan of both sides of the handler's resident ID card",
    ),
    Material(
        "unit_social_insurance_record",
        "北京市社会保险个人权益记录（单位缴费信息）",
        "Beijing social insurance record (unit contributions)",
        "单位缴费信息原件彩色扫描件",
        "Colour scan of the original unit contribution record",
    ),
    Material(
        "personal_integrity_declaration",
        "诚信声明（个人版，附件2）",
        "Integrity declaration, personal version (annex 2)",
        "申请人和单位（法人或授权人）手写签字，加盖公章或人事部门专用章",
        "Signed by hand by the applicant and "
        "the unit's legal representative or authorised person, with the unit's official or HR seal",
    ),
    Material(
        "housing_owned",
        "自有住房证明",
        "Own home",
        "《房屋所有权证》或《不动产权证书》；尚未取得的，商品房买卖合同原件",
        "Property ownership or real-estate certificate; if not yet issued, the original sales contract",
    ),
    Material(
        "housing_rented_residential",
        "租住居民户房屋证明",
        "Rented residential housing",
        "房屋所有权证或不动产权证书或商品房买卖合同，以及尚有6个月以上租期且记载详细地址、双方姓名、身份证号、联系方式、租期的租赁合同",
        "Property certificate or sales contract, and a lease with 6+ months left stating the full address, both "
        "parties' names, ID numbers, contacts and term",
    ),
    Material(
        "housing_rented_rural",
        "租住农村宅基地房屋证明",
        "Rented rural homestead housing",
        "房屋所有人居民户口簿首页和本人页，以及尚有6个月以上租期且记载完整的租赁合同",
        "The owner's household register (first and own page) and a complete lease with 6+ months left",
    ),
    Material(
        "housing_unit",
        "住单位公房证明",
        "Employer's housing",
        "房屋产权单位出具的产权材料或租赁合同，及单位出具的申请人居住凭证",
        "Property papers or lease of the unit's housing, and the unit's certificate of residence",
    ),
    Material(
        "housing_relative",
        "居住亲友住房证明",
        "Living with relatives or friends",
        "房屋所有权证或不动产权证书，亲友双方签署的房屋借住声明（附件3）原件及双方身份证",
        "Property certificate, the housing loan declaration (annex 3) signed by both, and both ID cards",
    ),
    Material(
        "housing_residence_permit",
        "北京市居住证",
        "Beijing Residence Permit",
        "《北京市居住证》原件或电子打印件，或《北京市居住证（卡）确认单》",
        "The residence permit card, its e-print, or the card confirmation sheet",
    ),
    Material(
        "hukou_book",
        "申请人户口本",
        "Applicant's household register",
        "户口本首页、本人页、变更页",
        "First page, own page and change page",
    ),
    Material(
        "degree_and_diploma",
        "学位证书、学历证书",
        "Degree certificate and diploma",
        "学位证书（经中国学位与研究生教育信息网查验，查验不到的附认证材料）及学历证书",
        "Degree certificate (verified on the degrees site, or an attestation) and diploma",
    ),
    Material(
        "title_and_diploma",
        "专业技术职务证书、学历证书",
        "Professional title and diploma",
        "专业技术职务或相当资格、资质证书；学历证书（经中国高等教育学生信息网查验）",
        "Title or equivalent qualification certificate; diploma verified on CHSI",
    ),
    Material(
        "award_certificate",
        "获奖证书",
        "Award certificate",
        "获奖证书或能够体现获得奖项的材料",
        "The award certificate or material showing the award",
    ),
    Material(
        "unit_qualification",
        "单位资质证书",
        "Unit qualification certificate",
        "证明单位属于科技创新主体或科技创新服务主体的资质证书",
        "Certificate of the unit's qualifying status",
    ),
    Material(
        "taxable_income_3y",
        "近3个自然年度及本年应税收入材料",
        "Taxable income, last three years and this year",
        "2018年12月以前：个人所得税纳税清单；2019年1月以后：扣缴客户端“个人扣缴查询明细”全屏打印",
        "Before Dec 2018: tax statements; from Jan 2019: full-screen print of the withholding details",
    ),
    Material(
        "ip_certificates",
        "知识产权证书",
        "Intellectual property certificates",
        "专利授权或软件著作权登记证书等",
        "Patent grants or software copyright registrations",
    ),
    Material(
        "ip_commercialisation",
        "知识产权在京转化效益材料",
        "Evidence of commercialisation in Beijing",
        "相关知识产权成果在京落地转化并取得较好经济社会效益的材料",
        "Evidence the IP is commercialised in Beijing with good results",
    ),
    Material(
        "articles_of_association",
        "最新单位章程",
        "Latest articles of association",
        "在相关政府主管部门已备案的最新单位章程",
        "The latest articles filed with the authority",
    ),
    Material(
        "investment_or_tax_evidence",
        "投资、融资或纳税材料",
        "Investment, financing or tax evidence",
        "验资报告、投资或股权融资协议书、银行转账记录等或近三年纳税材料",
        "Capital verification, investment or financing agreements, bank transfers, or three years' tax records",
    ),
    Material(
        "contribution_evidence",
        "业绩贡献材料",
        "Evidence of contribution",
        "体现对本市科技创新或文化创意贡献突出的材料",
        "Evidence of outstanding contribution",
    ),
    Material(
        "tax_records_3y",
        "近三年纳税材料",
        "Tax records, last three years",
        "近三年每年纳税凭证",
        "Tax records for each of the last three years",
    ),
    Material(
        "approval_documents",
        "推荐批准材料",
        "Recommendation and approval",
        "区委区政府推荐及市人才工作局批准的相关材料",
        "The district's recommendation and the city talent bureau's approval",
    ),
    Material(
        "overseas_qualification",
        "境外专业技术职业资格证书",
        "Overseas professional qualification",
        "《境外专业技术职业资格证书》彩色扫描件",
        "Colour scan of the overseas qualification certificate",
    ),
    Material(
        "overseas_qualification_check",
        "境外职业资格证书查询结果",
        "Overseas qualification verification result",
        "按京人社事业发〔2021〕33号查询验证流程取得的查询结果",
        "The verification result under 京人社事业发〔2021〕33号",
        colour_original=False,
    ),
    Material(
        "labour_contract",
        "劳动合同",
        "Labour contract",
        "与申请单位签订、尚有三个月以上期限的劳动合同（可为电子签）",
        "Contract with the applying unit with 3+ months left (e-signed allowed)",
    ),
    Material(
        "taxable_income_12m",
        "近12个月应税收入",
        "Taxable income, last 12 months",
        "扣缴客户端“个人扣缴查询明细”截图；或个人所得税纳税记录及申报收入记录（须由申请单位缴纳）",
        "Withholding details print, or the tax record plus declared income record (paid by the applying unit)",
        colour_original=False,
    ),
    Material(
        "child_in_policy",
        "随往子女材料（政策内生育）",
        "Child born within policy",
        "父母结婚证、子女户口本首页及本人页、出生医学证明",
        "Parents' marriage certificate, the child's household register pages, birth certificate",
    ),
    Material(
        "child_out_of_policy",
        "随往子女材料（政策外生育）",
        "Child born outside policy",
        "父母结婚证、子女户口本首页及本人页、出生医学证明",
        "Parents' marriage certificate, the child's household register pages, birth certificate",
    ),
    Material(
        "child_out_of_wedlock",
        "随往子女材料（未婚生育）",
        "Child born out of wedlock",
        "子女户口本首页及本人页、出生医学证明，及体现直系血缘关系的材料",
        "The child's household register pages, birth certificate and proof of direct blood relation",
    ),
    Material(
        "child_divorced_custody",
        "随往子女材料（父母离异）",
        "Child of divorced parents in custody",
        "离婚证、离婚协议或法院判决书、子女户口本首页及本人页、出生医学证明",
        "Divorce certificate, agreement or judgment, the child's household register pages, birth certificate",
    ),
    Material(
        "social_insurance_12m",
        "近12个月社会保险个人权益记录",
        "Social insurance record, last 12 months",
        "参保人员缴费信息，须由申请单位正常缴纳",
        "Contribution record, paid by the applying unit",
    ),
    Material(
        "termination_certificate",
        "原单位解除劳动合同证明",
        "Former employer's termination certificate",
        "原单位终止、解除劳动（聘用）合同或关系的证明书，加盖原单位公章或人事部门专用章",
        "Certificate of termination stamped by the former unit",
    ),
    Material(
        "new_degree_certificate",
        "新学历或学位证书",
        "New diploma or degree certificate",
        "新学历或学位证书原件彩色扫描件",
        "Colour scan of the new diploma or degree certificate",
    ),
)

MATERIALS: dict[str, Material] = {material.code: material for material in _CATALOGUE}

HOUSING_MATERIAL = {
    HousingKind.OWNED: "housing_owned",
    HousingKind.RENTED_RESIDENTIAL: "housing_rented_residential",
    HousingKind.RENTED_RURAL: "housing_rented_rural",
    HousingKind.UNIT_HOUSING: "housing_unit",
    HousingKind.RELATIVE: "housing_relative",
    HousingKind.RESIDENCE_PERMIT: "housing_residence_permit",
}

_BASE: dict[Service, tuple[str, ...]] = {
    Service.UNIT_OPENING: (
        "business_license",
        "unit_integrity_declaration",
        "unit_tax_certificates",
        "handler_id_card",
        "unit_social_insurance_record",
    ),
    Service.UNIT_TRANSFER: ("unit_tax_certificates", "unit_social_insurance_record"),
    Service.INITIAL: (
        "personal_integrity_declaration",
        "hukou_book",
        "labour_contract",
        "taxable_income_12m",
        "social_insurance_12m",
    ),
    Service.EMPLOYER_CHANGE: (
        "personal_integrity_declaration",
        "termination_certificate",
        "labour_contract",
        "social_insurance_12m",
    ),
    Service.CHILDREN_CHANGE: ("personal_integrity_declaration", "social_insurance_12m"),
    Service.INFO_CHANGE: ("personal_integrity_declaration", "social_insurance_12m"),
    Service.RENEWAL: (
        "personal_integrity_declaration",
        "labour_contract",
        "taxable_income_12m",
        "social_insurance_12m",
    ),
}
_SUBTYPE: dict[ChangeSubtype, tuple[str, ...]] = {
    ChangeSubtype.ADDRESS: (),  # the housing material, by kind
    ChangeSubtype.NAME_OR_HUKOU: ("hukou_book",),
    ChangeSubtype.EDUCATION: ("new_degree_certificate",),
}
TAXED_HERE_REGISTERED_ELSEWHERE = frozenset({Service.CHILDREN_CHANGE, Service.INFO_CHANGE, Service.RENEWAL})
WITH_HOUSING = frozenset({Service.INITIAL})
WITH_CHILDREN = frozenset({Service.INITIAL, Service.CHILDREN_CHANGE})


def base_materials(service: Service, subtype: ChangeSubtype | None = None) -> tuple[str, ...]:
    """The materials every case of the item (and subtype) carries, whatever its facts: the guide's fixed rows."""
    return _BASE[service] + (_SUBTYPE[subtype] if subtype is not None else ())


def taxed_here_registered_elsewhere(unit: UnitLike) -> bool:
    """「企业纳税地为本区但工商注册地非本区的」 (G5–G7 注意事项): such units add their tax certificates."""
    return unit.tax_district == HOME_DISTRICT and unit.registered_district != HOME_DISTRICT


def checklist(service: Service, subtype: ChangeSubtype | None, unit: UnitLike, applicant: ApplicantLike) -> list[str]:
    """The material codes a case must carry (POLICY §8), in the guide's order, each once."""
    codes = list(_BASE[service])
    if subtype is not None:
        codes.extend(_SUBTYPE[subtype])
    needs_housing = service in WITH_HOUSING or subtype == ChangeSubtype.ADDRESS
    if needs_housing and applicant.housing is not None and applicant.housing.kind is not None:
        codes.append(HOUSING_MATERIAL[applicant.housing.kind])
    if service == Service.INITIAL and applicant.talent_condition is not None:
        codes.extend(CONDITION_MATERIALS[applicant.talent_condition])
    if service in WITH_CHILDREN:
        codes.extend(f"child_{child.case}" for child in applicant.children or () if child.case is not None)
    if service in TAXED_HERE_REGISTERED_ELSEWHERE and taxed_here_registered_elsewhere(unit):
        codes.append("unit_tax_certificates")
    return list(dict.fromkeys(codes))
