"""Human names of the codes, in Chinese and English, for messages, forms and guide pages.

One table for every enumerated code of `wrp.policy.codes`, so that the self-check, the portals and the generated
guide pages call a thing by the same name.
"""

from __future__ import annotations

from enum import StrEnum

from wrp.policy.codes import (
    AccountStatus,
    AwardLevel,
    ChangeSubtype,
    ChildCase,
    Decision,
    Degree,
    District,
    HousingKind,
    Hukou,
    Outcome,
    Penalty,
    PermitStatus,
    ProfessionalTitle,
    Qualification,
    Reviewer,
    Service,
    UnitKind,
)

LABELS: dict[StrEnum, tuple[str, str]] = {
    Service.UNIT_OPENING: ("单位办理工作居住证开户", "Unit account opening"),
    Service.UNIT_TRANSFER: ("单位跨区信息变更", "Unit cross-district transfer"),
    Service.INITIAL: ("初次申请", "First application"),
    Service.EMPLOYER_CHANGE: ("个人聘用单位变更", "Change of employer"),
    Service.CHILDREN_CHANGE: ("个人随往人员变更", "Accompanying children"),
    Service.INFO_CHANGE: ("个人证件基础信息变更", "Basic information change"),
    Service.RENEWAL: ("续签", "Renewal"),
    ChangeSubtype.ADDRESS: ("变更居住地址", "Change of address"),
    ChangeSubtype.NAME_OR_HUKOU: ("变更姓名或户籍地", "Change of name or hukou"),
    ChangeSubtype.EDUCATION: ("变更学历或学位", "Change of education"),
    Outcome.PASS: ("符合", "Met"),
    Outcome.FAIL: ("不符合", "Not met"),
    Outcome.REVIEW: ("需人工审核", "Needs review"),
    Outcome.WARN: ("提示", "Note"),
    Decision.ELIGIBLE: ("符合条件", "Eligible"),
    Decision.NEEDS_REVIEW: ("需人工审核", "Needs review"),
    Decision.INELIGIBLE: ("不符合条件", "Not eligible"),
    Reviewer.WINDOW: ("服务大厅窗口", "Service hall window"),
    Reviewer.DISTRICT_BUREAU: ("区人力社保局", "District bureau"),
    UnitKind.ENTERPRISE: ("企业", "Enterprise"),
    UnitKind.PUBLIC_INSTITUTION: ("事业单位", "Public institution"),
    UnitKind.PRIVATE_NON_ENTERPRISE: ("民办非企业单位", "Private non-enterprise unit"),
    UnitKind.SOCIAL_ORGANIZATION: ("社会团体", "Social organisation"),
    UnitKind.FOREIGN_BRANCH: ("外国（地区）在京设立的非法人分支机构", "Branch of a foreign organisation"),
    UnitKind.DOMESTIC_BRANCH: ("外埠在京设立的非法人分支机构", "Branch of an out-of-town organisation"),
    UnitKind.FOREIGN_REP_OFFICE: ("外国公司北京代表处", "Foreign company's Beijing representative office"),
    UnitKind.OTHER: ("其他", "Other"),
    District.DONGCHENG: ("东城区", "Dongcheng"),
    District.XICHENG: ("西城区", "Xicheng"),
    District.CHAOYANG: ("朝阳区", "Chaoyang"),
    District.FENGTAI: ("丰台区", "Fengtai"),
    District.SHIJINGSHAN: ("石景山区", "Shijingshan"),
    District.HAIDIAN: ("海淀区", "Haidian"),
    District.MENTOUGOU: ("门头沟区", "Mentougou"),
    District.FANGSHAN: ("房山区", "Fangshan"),
    District.TONGZHOU: ("通州区", "Tongzhou"),
    District.SHUNYI: ("顺义区", "Shunyi"),
    District.CHANGPING: ("昌平区", "Changping"),
    District.DAXING: ("大兴区", "Daxing"),
    District.HUAIROU: ("怀柔区", "Huairou"),
    District.PINGGU: ("平谷区", "Pinggu"),
    District.MIYUN: ("密云区", "Miyun"),
    District.YANQING: ("延庆区", "Yanqing"),
    District.JINGKAI: ("北京经济技术开发区", "Beijing Economic-Technological Development Area"),
    District.OUTSIDE_BEIJING: ("北京市以外", "Outside Beijing"),
    AccountStatus.NONE: ("未开户", "No account"),
    AccountStatus.OPEN: ("已开户（有效）", "Open"),
    AccountStatus.CLOSED: ("已注销", "Closed"),
    Penalty.BLACKLISTED: ("纳入黑名单", "Blacklisted"),
    Penalty.SERVICE_TERMINATED: ("终止服务", "Service terminated"),
    Qualification.NEW_RND_INSTITUTION: ("新型研发机构", "New R&D institution"),
    Qualification.INNOVATIVE_HQ: ("创新型总部企业", "Innovative headquarters"),
    Qualification.HIGH_TECH_ENTERPRISE: ("高新技术企业", "High-tech enterprise"),
    Qualification.LAW_FIRM: ("律师事务所", "Law firm"),
    Qualification.ACCOUNTING_FIRM: ("会计师事务所", "Accounting firm"),
    Qualification.AUDIT_FIRM: ("审计师事务所", "Audit firm"),
    Qualification.TAX_FIRM: ("税务师事务所", "Tax firm"),
    Qualification.HR_SERVICE_AGENCY: ("人力资源服务机构", "HR service agency"),
    Qualification.FINANCIAL_INSTITUTION: ("金融机构", "Financial institution"),
    Hukou.NON_BEIJING: ("非北京户籍", "Hukou outside Beijing"),
    Hukou.BEIJING_FAMILY: ("北京市家庭户", "Beijing family hukou"),
    Hukou.BEIJING_COLLECTIVE: ("北京市集体户口", "Beijing collective hukou"),
    Hukou.SCHOOL_TEMPORARY: ("学校临时户口", "School temporary hukou"),
    HousingKind.OWNED: ("自有住房", "Own home"),
    HousingKind.RENTED_RESIDENTIAL: ("租住居民户房屋", "Rented residential housing"),
    HousingKind.RENTED_RURAL: ("租住农村宅基地房屋", "Rented rural homestead housing"),
    HousingKind.UNIT_HOUSING: ("住单位公房", "Employer's housing"),
    HousingKind.RELATIVE: ("居住亲友住房", "Living with relatives or friends"),
    HousingKind.RESIDENCE_PERMIT: ("持有《北京市居住证》", "Holds a Beijing Residence Permit"),
    Degree.BACHELOR: ("学士", "Bachelor"),
    Degree.MASTER: ("硕士", "Master"),
    Degree.DOCTOR: ("博士", "Doctor"),
    ProfessionalTitle.JUNIOR: ("初级", "Junior"),
    ProfessionalTitle.INTERMEDIATE: ("中级", "Intermediate"),
    ProfessionalTitle.ASSOCIATE_SENIOR: ("副高级", "Associate senior"),
    ProfessionalTitle.SENIOR: ("正高级", "Senior"),
    AwardLevel.NATIONAL: ("国家级", "National"),
    AwardLevel.PROVINCIAL_MINISTERIAL: ("省部级", "Provincial or ministerial"),
    AwardLevel.OTHER: ("其他", "Other"),
    ChildCase.IN_POLICY: ("户籍地计生政策范围内生育", "Born within family-planning policy"),
    ChildCase.OUT_OF_POLICY: ("违反计生政策生育", "Born outside family-planning policy"),
    ChildCase.OUT_OF_WEDLOCK: ("未婚生育", "Born out of wedlock"),
    ChildCase.DIVORCED_CUSTODY: ("父母离异，由申请人抚养", "Parents divorced, in the applicant's custody"),
    PermitStatus.VALID: ("有效", "Valid"),
    PermitStatus.SUSPENDED: ("挂起（暂时失效）", "Suspended"),
    PermitStatus.EXPIRED: ("已失效（期满）", "Expired"),
    PermitStatus.REVOKED: ("已撤销", "Revoked"),
}

AWARD_GRADES = {
    0: ("特等奖", "Special prize"),
    1: ("一等奖", "First prize"),
    2: ("二等奖", "Second prize"),
    3: ("三等奖", "Third prize"),
}


def zh(code: StrEnum | None) -> str:
    """The Chinese name of a code (the code itself when it has none)."""
    if code is None:
        return "—"
    names = LABELS.get(code)
    return str(code) if names is None else names[0]


def en(code: StrEnum | None) -> str:
    """The English name of a code."""
    if code is None:
        return "—"
    names = LABELS.get(code)
    return str(code) if names is None else names[1]


def label(code: StrEnum | None, lang: str) -> str:
    return en(code) if lang == "en" else zh(code)
