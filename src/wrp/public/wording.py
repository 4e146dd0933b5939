"""The self-check's wording, in Chinese and English: the fieldset titles, what each service is, and each question.

`PROMPTS` words every question of `wrp.public.questions` by its fact path (the label, plain-language help and the
unit after the box); `TEXTS` the fixed choices. Pure data (no Django): the caller picks the language with `pick`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from wrp.policy.codes import Service
from wrp.policy.labels import AWARD_GRADES, LABELS
from wrp.policy.rules.conditions import CHINESE_NUMERALS, CONDITION_TITLES

Text = tuple[str, str]  # (Chinese, English)
Choices = tuple[tuple[str, Text], ...]
NONE = "none"  # the answer 「无」
OTHER_NATIONALITY = "ZZ"  # user-assigned ISO 3166 code: "some other country or region"

GROUPS: dict[str, Text] = {
    "change": ("变更内容", "What changes"),
    "unit": ("单位情况", "About the unit"),
    "applicant": ("申请人情况", "About the applicant"),
    "talent": ("人才条件", "Talent condition"),
    "income": ("收入与社保", "Income and social insurance"),
    "permit": ("工作居住证", "Work residence permit"),
}

SERVICE_SUMMARIES: dict[Service, Text] = {
    Service.UNIT_OPENING: ("单位首次在朝阳区开通工作居住证账户，之后才能为员工申请。",
                           "A unit opens its permit account in Chaoyang before it can apply for its staff."),
    Service.UNIT_TRANSFER: ("已在其他区开户的单位，把工作居住证账户迁到朝阳区。",
                            "A unit with an account in another district moves it to Chaoyang."),
    Service.INITIAL: ("单位为聘用人员首次申请北京市工作居住证。", "A unit applies for an employee's first permit."),
    Service.EMPLOYER_CHANGE: ("持证人换了工作，由新单位办理聘用单位变更。",
                              "The new employer takes over the permit of a holder who changed jobs."),
    Service.CHILDREN_CHANGE: ("为持证人增加或变更随往子女。", "Add or change the holder's accompanying children."),
    Service.INFO_CHANGE: ("变更持证人的居住地址、姓名或户籍地、学历或学位。",
                          "Change the holder's address, name or hukou, or education."),
    Service.RENEWAL: ("证件有效期满前60日内办理续签，有效期延长3年。",
                      "Renew in the 60 days before the permit ends, for three more years."),
}  # fmt: skip


@dataclass(frozen=True)
class Prompt:
    """What the person reads: the question, plain-language help, and the unit after the box (元, 个, 年)."""

    label: Text
    help: Text
    suffix: Text = ("", "")


YUAN: Text = ("元", "yuan")
YEARS: Text = ("年", "years")
ITEMS_COUNT: Text = ("项", "")

PROMPTS: dict[str, Prompt] = {
    "change.subtype": Prompt(
        ("要变更的信息", "What is changing"),
        ("选择要变更的证件基础信息，不同的变更需要不同的材料。", "The permit details that change; each needs different papers.")),
    "unit.kind": Prompt(
        ("单位类型", "Kind of unit"),
        ("按营业执照或登记证书上的类型选择。", "As shown on the business licence or registration certificate.")),
    "unit.legal_person": Prompt(
        ("单位是否具有法人资格", "Is the unit a legal person?"),
        ("营业执照或法人证书写明为法人的选“是”；分支机构、代表处一般为“否”。",
         "Yes if its licence or certificate names it a legal person; branches and representative offices usually are "
         "not.")),
    "unit.registered_district": Prompt(
        ("工商注册所在区", "District of business registration"),
        ("发营业执照的登记机关所在的区。", "The district of the authority that issued the business licence.")),
    "unit.tax_district": Prompt(
        ("税务登记所在区", "District of tax registration"),
        ("单位缴纳税费的主管税务机关所在的区。", "The district of the tax office where the unit pays its taxes.")),
    "unit.tax_paid_since": Prompt(
        ("在朝阳区开始纳税的日期", "Paying tax in Chaoyang since"),
        ("单位开始在朝阳区缴纳税费的日期；原则上应满1年。", "When the unit started paying tax in Chaoyang; a full year is "
         "expected in principle.")),
    "unit.registered_capital": Prompt(
        ("注册资本", "Registered capital"),
        ("营业执照上的注册资本，以元为单位：100万元填 1000000。", "From the business licence, in yuan: 1 million is "
         "1000000."), YUAN),
    "unit.annual_tax": Prompt(
        ("{year}年单位纳税额", "Tax the unit paid in {year}"),
        ("单位在朝阳区缴纳的税费合计；没有纳税的年份可以不填。", "All taxes the unit paid in Chaoyang; leave a year "
         "empty if none."), YUAN),
    "unit.account.status": Prompt(
        ("单位工作居住证开户情况", "The unit's permit account"),
        ("单位在北京市工作居住证系统中是否已开户。", "Whether the unit has an account in the Beijing permit system.")),
    "unit.account.district": Prompt(
        ("开户所在区", "District of the account"),
        ("单位的工作居住证账户所在的区。", "The district that holds the unit's permit account.")),
    "unit.quota_remaining": Prompt(
        ("单位当年剩余新办指标", "New-permit quota the unit has left this year"),
        ("单位今年获批、尚未使用的新办指标个数；不清楚的请问单位人事部门。", "Permits the unit was granted this year and "
         "has not used; ask the unit's HR office if unsure."), ("个", "")),
    "unit.quota_frozen": Prompt(
        ("单位指标是否被冻结", "Is the unit's quota frozen?"),
        ("单位因未按时解除员工关联等原因被冻结指标的，选“是”。", "Yes if the quota was frozen as a penalty, e.g. for "
         "releasing leavers late.")),
    "unit.penalty": Prompt(
        ("单位是否受到处罚", "Is the unit under a penalty?"),
        ("被终止服务或纳入黑名单的单位不予受理。", "Units whose service was terminated or who are blacklisted cannot "
         "apply.")),
    "unit.qualifications": Prompt(
        ("单位具备的资质（可多选）", "The unit's qualifications (tick all that apply)"),
        ("以资质证书为准；都没有的可以不选。", "As on the unit's certificates; tick none if it has none.")),
    "applicant.nationality": Prompt(
        ("申请人国籍", "The applicant's nationality"),
        ("只受理中国籍人员。", "Only Chinese nationals can apply.")),
    "applicant.hukou": Prompt(
        ("申请人户籍类型", "The applicant's hukou (household registration)"),
        ("北京市集体户口、学校临时户口的不在受理范围。", "Beijing collective and school temporary hukou cannot apply.")),
    "applicant.dispatched": Prompt(
        ("申请人是否为派遣员工", "Is the applicant a dispatched (agency) worker?"),
        ("与劳务派遣公司签合同、派到本单位工作的选“是”。", "Yes if employed by a staffing agency and placed at the unit.")),
    "applicant.employment_start": Prompt(
        ("入职本单位的日期", "Started at the unit on"),
        ("与本单位劳动合同的起始日期；一般应满1年。", "Start of the labour contract with the unit; a full year is "
         "generally expected.")),
    "applicant.contract_end": Prompt(
        ("劳动合同终止日期", "Labour contract ends on"),
        ("与本单位劳动合同的终止日期，须尚有三个月以上。", "End of the labour contract with the unit; at least three "
         "months must remain.")),
    "applicant.contract_end.open": Prompt(
        ("无固定期限劳动合同", "Open-ended contract"),
        ("劳动合同没有终止日期的，请勾选。", "Tick if the contract has no end date.")),
    "applicant.housing.kind": Prompt(
        ("在京住所类型", "Where the applicant lives in Beijing"),
        ("须在本市有合法稳定住所；按实际居住情况选择。", "A lawful, stable home in Beijing is required; choose how the "
         "applicant lives.")),
    "applicant.housing.lease_end": Prompt(
        ("租期截止日", "Lease ends on"),
        ("租赁合同上的截止日期，须距今天6个月以上。", "The end date on the lease; it must be 6 months or more from "
         "today.")),
    "applicant.children": Prompt(
        ("随往子女 {number}", "Accompanying child {number}"),
        ("需要随往的子女按情形选择；没有的选“无”。", "Choose each child's case; choose “none” if there is none.")),
    "applicant.accompanying_spouse": Prompt(
        ("是否申请配偶随往", "Should a spouse accompany?"),
        ("系统升级后不再办理配偶随往，只能随往子女。", "Spouses can no longer accompany; only children can.")),
    "applicant.talent_condition": Prompt(
        ("申请依据的人才条件", "Talent condition claimed"),
        ("符合其中一项即可，选最容易证明的一项。", "Meeting one is enough; choose the one easiest to prove.")),
    "applicant.degree": Prompt(
        ("最高学位", "Highest degree"),
        ("学位证书上的学位；只有学历、没有学位的选“无”。", "As on the degree certificate; choose “none” for a diploma "
         "without a degree.")),
    "applicant.work_experience_years": Prompt(
        ("工作经历", "Work experience"),
        ("累计全职工作的年数，可填小数，如 2.5。", "Years of full-time work in total; decimals are fine, e.g. 2.5."),
        YEARS),
    "applicant.professional_title": Prompt(
        ("专业技术职务", "Professional title"),
        ("专业技术职务或相当资格、资质的级别。", "The level of the professional title or an equivalent qualification.")),
    "applicant.award.level": Prompt(
        ("获奖级别", "Award level"),
        ("科学技术、文学艺术、哲学社会科学等奖项的级别。", "Level of a science, arts or social-science award.")),
    "applicant.award.grade": Prompt(
        ("获奖等级", "Prize"),
        ("获奖证书上的等级。", "As on the award certificate.")),
    "applicant.ip.author_rank": Prompt(
        ("作者排名", "Author rank"),
        ("专利或软件著作权证书上的排名：第一作者填 1。", "The rank on the patent or copyright: first author is 1."),
        ("位", "")),
    "applicant.ip.invention_patents": Prompt(
        ("发明专利授权", "Invention patents granted"),
        ("已授权的发明专利数量。", "Number of granted invention patents."), ITEMS_COUNT),
    "applicant.ip.other_patents": Prompt(
        ("其他专利授权", "Other patents granted"),
        ("实用新型、外观设计等其他已授权专利的数量。", "Utility model, design and other granted patents."), ITEMS_COUNT),
    "applicant.ip.software_copyrights": Prompt(
        ("软件著作权登记", "Software copyrights registered"),
        ("已登记的软件著作权数量。", "Number of registered software copyrights."), ITEMS_COUNT),
    "applicant.ip.commercialised_in_beijing": Prompt(
        ("成果是否已在京落地转化", "Is the IP commercialised in Beijing?"),
        ("知识产权成果已在北京实际应用并产生效益的，选“是”。", "Yes if it is in use in Beijing and brings results.")),
    "applicant.startup.shareholding_percent": Prompt(
        ("本人持股比例", "The applicant's shareholding"),
        ("按最新公司章程，填百分数，如 12.5。", "From the latest articles of association, as a percentage, e.g. 12.5."),
        ("%", "%")),
    "applicant.startup.shareholder_rank": Prompt(
        ("在自然人股东中的排名", "Rank among natural-person shareholders"),
        ("按持股比例在自然人股东中排第几位，第一位填 1。", "Place by shareholding among the individual shareholders; "
         "first is 1."), ("位", "")),
    "applicant.startup.self_investment_3y": Prompt(
        ("团队近3年累计自主投入", "Team's own investment over 3 years"),
        ("验资报告、银行转账等可证明的投入合计；没有的填 0。", "Total shown by capital verification or bank records; 0 "
         "if none."), YUAN),
    "applicant.startup.equity_financing": Prompt(
        ("股权类现金融资", "Equity financing raised in cash"),
        ("投资或股权融资协议中已到账的现金；没有的填 0。", "Cash received under investment or equity agreements; 0 if "
         "none."), YUAN),
    "applicant.startup.avg_annual_tax_3y": Prompt(
        ("近三年平均每年纳税", "Average yearly tax over 3 years"),
        ("企业近三年纳税额的年平均数；没有的填 0。", "The company's average yearly tax over three years; 0 if none."),
        YUAN),
    "applicant.annual_tax_paid": Prompt(
        ("{year}年本人纳税额", "Tax the applicant paid in {year}"),
        ("作为自由职业者、个体工商户等缴纳的税额。", "Tax paid as a freelancer, sole trader or similar."), YUAN),
    "applicant.recommended_and_approved": Prompt(
        ("是否经区委区政府推荐并经市人才工作局批准", "Recommended by the district and approved by the city talent "
         "bureau?"),
        ("有推荐及批准文件的选“是”。", "Yes if there are recommendation and approval documents.")),
    "applicant.overseas_qualification": Prompt(
        ("是否持有认可目录内的境外职业资格", "Holds an overseas qualification on the recognised list?"),
        ("资格须列在《境外执业资格认可目录（1.0版）》内。", "It must be in the recognised overseas qualifications list "
         "(version 1.0).")),
    "applicant.taxable_income_by_year": Prompt(
        ("{year}年应税收入", "Taxable income in {year}"),
        ("当年个人所得税应税收入合计（税前）。", "Total taxable income of that year, before tax."), YUAN),
    "applicant.taxable_income_12m": Prompt(
        ("近12个月应税收入", "Taxable income, last 12 months"),
        ("个人所得税 App 或扣缴明细中近12个月的收入合计（税前）。", "The last 12 months' income before tax, from the "
         "income tax app or the withholding details."), YUAN),
    "applicant.income_paid_by_unit": Prompt(
        ("个人所得税是否由本单位代扣代缴", "Does the unit itself withhold the income tax?"),
        ("由人力资源公司等第三方代扣代缴的选“否”。", "No if a third party, such as an HR agency, withholds it.")),
    "applicant.social_insurance_months_by_unit": Prompt(
        ("近12个月本单位缴纳社保的月数", "Months of social insurance the unit paid (last 12)"),
        ("近12个月中由本单位正常缴纳北京社保的月数，0 到 12。", "Of the last 12 months, how many the unit paid Beijing "
         "social insurance for: 0 to 12."), ("个月", "months")),
    "applicant.social_insurance_unit_matches": Prompt(
        ("社保是否已增员到新单位", "Has social insurance moved to the new unit?"),
        ("新单位须先完成社保增员，再提交变更。", "The new unit must take over the social insurance before applying.")),
    "applicant.permit.status": Prompt(
        ("现持工作居住证状态", "Current work residence permit"),
        ("可在工作居住证系统或证件上查看；从未办理过的选“无”。", "See the permit system or the card; choose “none” if "
         "there has never been one.")),
    "applicant.permit.valid_until": Prompt(
        ("工作居住证有效期至", "Permit valid until"),
        ("证件上的有效期截止日。", "The end date on the permit.")),
}  # fmt: skip

TEXTS: dict[str, Text] = {
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "none": ("无", "None"),
    "no_child": ("无", "None"),
    "no_permit": ("无（未持有）", "None (never had one)"),
    "no_degree": ("无学位", "No degree"),
    "no_title": ("无", "None"),
    "no_award": ("无获奖", "No award"),
    "no_penalty": ("无", "None"),
    "CN": ("中国", "China"),
    OTHER_NATIONALITY: ("其他国家或地区", "Another country or region"),
}  # fmt: skip


def pick(text: Text, lang: str) -> str:
    """The Chinese or English half of a text (`lang` is "zh" or "en")."""
    return text[1] if lang == "en" else text[0]


def code_choices(enum: type[StrEnum], keep: Callable[[Any], bool] = lambda _code: True) -> Choices:
    return tuple((str(code), LABELS[code]) for code in enum if keep(code))


def with_none(key: str, choices: Choices) -> Choices:
    return ((NONE, TEXTS[key]), *choices)


YES_NO_CHOICES: Choices = (("yes", TEXTS["yes"]), ("no", TEXTS["no"]))
TALENT_CONDITIONS: Choices = tuple(
    (str(number), (f"条件{CHINESE_NUMERALS[number]}：{title[0]}", f"Condition {number}: {title[1]}"))
    for number, title in CONDITION_TITLES.items()
)
AWARD_GRADE_CHOICES: Choices = tuple((str(grade), names) for grade, names in AWARD_GRADES.items())
