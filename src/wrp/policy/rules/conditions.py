"""The ten talent conditions of G3.申请条件.2 (POLICY §7), behind the single rule A-CONDITION.

An applicant for a first permit claims one condition; A-CONDITION passes when that condition is met. Each condition
is a function here, with the facts it reads (`CONDITION_READS`), the materials that prove it (`CONDITION_MATERIALS`)
and what only a person can judge (`CONDITION_MANUAL_CHECKS`). "以上" includes the number. Income and tax conditions
look at the three complete calendar years before the declaration year.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from wrp.policy.codes import (
    INNOVATION_ENTITIES,
    INNOVATION_SERVICE_ENTITIES,
    AwardLevel,
    Degree,
    ProfessionalTitle,
    Qualification,
)
from wrp.policy.labels import AWARD_GRADES, en, zh
from wrp.policy.rules.applicant import reference_wage
from wrp.policy.rules.base import Context, Verdict, amount, fail, income_years, ok, rule
from wrp.policy.wages import Threshold

MIN_WORK_YEARS = Decimal(2)
QUALIFYING_TITLES = frozenset(
    {ProfessionalTitle.INTERMEDIATE, ProfessionalTitle.ASSOCIATE_SENIOR, ProfessionalTitle.SENIOR}
)
QUALIFYING_AWARD_LEVELS = frozenset({AwardLevel.NATIONAL, AwardLevel.PROVINCIAL_MINISTERIAL})
MAX_AWARD_GRADE = 2
MAX_IP_AUTHOR_RANK = 2
MIN_OTHER_PATENTS = 3
MIN_SOFTWARE_COPYRIGHTS = 3
MIN_SHAREHOLDING = Decimal(5)
MAX_SHAREHOLDER_RANK = 5
MIN_SELF_INVESTMENT = Decimal(5_000_000)
MIN_EQUITY_FINANCING = Decimal(10_000_000)
MIN_AVG_STARTUP_TAX = Decimal(5_000_000)
MIN_FREELANCE_TAX = Decimal(200_000)
CHINESE_NUMERALS = dict(enumerate("一二三四五六七八九十", start=1))
INNOVATION_MULTIPLIER = Decimal(4)
SERVICE_MULTIPLIER = Decimal(8)

CONDITION_READS: dict[int, tuple[str, ...]] = {
    1: ("applicant.degree", "applicant.work_experience_years"),
    2: ("applicant.professional_title",),
    3: ("applicant.award",),
    4: ("unit.qualifications", "applicant.taxable_income_by_year"),
    5: ("unit.qualifications", "applicant.taxable_income_by_year"),
    6: ("applicant.ip",),
    7: ("applicant.startup",),
    8: ("applicant.annual_tax_paid",),
    9: ("applicant.recommended_and_approved",),
    10: ("applicant.overseas_qualification",),
}

CONDITION_MATERIALS: dict[int, tuple[str, ...]] = {
    1: ("degree_and_diploma",),
    2: ("title_and_diploma",),
    3: ("award_certificate",),
    4: ("unit_qualification", "taxable_income_3y"),
    5: ("unit_qualification", "taxable_income_3y"),
    6: ("ip_certificates", "ip_commercialisation"),
    7: ("articles_of_association", "investment_or_tax_evidence"),
    8: ("contribution_evidence", "tax_records_3y"),
    9: ("approval_documents",),
    10: ("overseas_qualification", "overseas_qualification_check"),
}

CONDITION_MANUAL_CHECKS: dict[int, tuple[tuple[str, str], ...]] = {
    1: (
        (
            "学位证书经中国学位与研究生教育信息网查验",
            "Degree certificate verified on the China Academic Degrees & Graduate Education Information site",
        ),
    ),
    2: (
        (
            "学历证书经中国高等教育学生信息网查验",
            "Diploma verified on CHSI (China Higher Education Student Information)",
        ),
    ),
    6: (
        (
            "知识产权成果在京落地转化并取得较好经济社会效益",
            "The IP is commercialised in Beijing with good economic and social benefit",
        ),
    ),
    8: (
        (
            "对本市科技创新、科技成果转移转化或文化创意贡献突出",
            "Outstanding contribution to Beijing's innovation, technology transfer or creative industries",
        ),
    ),
}

CONDITION_TITLES: dict[int, tuple[str, str]] = {
    1: ("具有2年以上工作经历并取得学士（含）以上学位", "Bachelor's degree or higher and 2+ years of work experience"),
    2: ("具有中级（含）以上专业技术职务或相当资格、资质", "Intermediate or higher professional title"),
    3: ("省部级二等奖以上奖项获奖人", "Winner of a provincial/ministerial second prize or higher"),
    4: (
        "科技创新主体中工作，近三年每年应税收入超过月平均工资4倍",
        "At a sci-tech innovation entity, income ≥ 4× the average wage in each of the last three years",
    ),
    5: (
        "科技创新服务主体中工作，近三年每年应税收入超过月平均工资8倍",
        "At an innovation service entity, income ≥ 8× the average wage in each of the last three years",
    ),
    6: (
        "第二作者（含）以上取得发明专利或其他专利、软件著作权，在京落地转化",
        "Second author or higher of patents or software copyrights commercialised in Beijing",
    ),
    7: (
        "创新创业团队中持股不低于5%且排名前五位的自然人股东",
        "Natural-person shareholder (≥ 5 %, top five) of an innovative start-up team",
    ),
    8: (
        "贡献突出且近三年每年纳税20万元（含）以上的自由职业者、个体工商户等",
        "Freelancer or sole trader paying ≥ 200000 tax in each of the last three years",
    ),
    9: ("由区委区政府推荐并经市人才工作局批准", "Recommended by the district and approved by the city talent bureau"),
    10: (
        "持有境外执业资格认可目录（1.0版）内境外职业资格",
        "Holds an overseas qualification in the recognised list (1.0)",
    ),
}


def condition_1(context: Context) -> Verdict:
    """（一）具有2年以上工作经历并取得学士（含）以上学位的人才。"""
    applicant = context.applicant
    years = applicant.work_experience_years
    if applicant.degree in tuple(Degree) and years is not None and years >= MIN_WORK_YEARS:
        return ok(
            f"条件1：{zh(applicant.degree)}学位，工作经历 {amount(years)} 年（≥2年）",
            f"Condition 1: {en(applicant.degree)} degree, {amount(years)} years of work experience (≥ 2)",
        )
    return fail(
        f"条件1不符合：学位 {zh(applicant.degree)}，工作经历 {amount(years or 0)} 年（需学士以上学位且2年以上工作经历）",
        f"Condition 1 not met: degree {en(applicant.degree)}, {amount(years or 0)} years of work experience "
        "(needs a bachelor's degree or higher and 2+ years)",
    )


def condition_2(context: Context) -> Verdict:
    """（二）具有中级（含）以上专业技术职务或相当资格、资质的人才。"""
    title = context.applicant.professional_title
    if title in QUALIFYING_TITLES:
        return ok(f"条件2：{zh(title)}专业技术职务", f"Condition 2: {en(title)} professional title")
    return fail(
        f"条件2不符合：专业技术职务为{zh(title)}（需中级及以上）",
        f"Condition 2 not met: title {en(title)} (needs intermediate or higher)",
    )


def condition_3(context: Context) -> Verdict:
    """（三）国家和本市科学技术、文学艺术、哲学社会科学等类奖项省部级二等奖以上的获奖人。"""
    award = context.applicant.award
    if award is not None and award.level in QUALIFYING_AWARD_LEVELS and (award.grade or 0) <= MAX_AWARD_GRADE:
        grade = AWARD_GRADES[award.grade or 0]
        return ok(f"条件3：{zh(award.level)}{grade[0]}", f"Condition 3: {en(award.level)} {grade[1].lower()}")
    if award is None:
        return fail("条件3不符合：未填写获奖情况", "Condition 3 not met: no award given")
    grade = AWARD_GRADES[award.grade if award.grade is not None else 3]
    return fail(
        f"条件3不符合：{zh(award.level)}{grade[0]}（需省部级及以上二等奖以上）",
        f"Condition 3 not met: {en(award.level)} {grade[1].lower()} (needs provincial/ministerial second prize or "
        "higher)",
    )


def _income_condition(
    context: Context, number: int, entities: frozenset[Qualification], multiplier: Decimal, entity_zh: str
) -> Verdict:
    qualifications = set(context.unit.qualifications or ())
    threshold = Threshold(reference_wage(context), multiplier)
    held = sorted(qualifications & entities)
    years = income_years(context.as_of)
    incomes = context.applicant.taxable_income_by_year or {}
    shortfalls = [year for year in years if incomes.get(year, Decimal(0)) < threshold.annual]
    wage = threshold.reference
    basis_zh = (
        f"{wage.year}年月平均工资 {amount(wage.monthly)} × {amount(multiplier)} × 12 = {amount(threshold.annual)}"
    )
    basis_en = (
        f"{wage.year} monthly wage {amount(wage.monthly)} × {amount(multiplier)} × 12 = {amount(threshold.annual)}"
    )
    if not held:
        return fail(
            f"条件{number}不符合：单位不具备{entity_zh}资质",
            f"Condition {number} not met: the unit holds no qualifying qualification",
            threshold,
        )
    figures = "、".join(f"{year}年 {amount(incomes.get(year, Decimal(0)))}" for year in years)
    figures_en = ", ".join(f"{year}: {amount(incomes.get(year, Decimal(0)))}" for year in years)
    if shortfalls:
        missing = "、".join(str(year) for year in shortfalls)
        return fail(
            f"条件{number}不符合：{missing}年应税收入未达 {amount(threshold.annual)}（{basis_zh}；{figures}）",
            f"Condition {number} not met: income below {amount(threshold.annual)} in {missing} ({basis_en}; "
            f"{figures_en})",
            threshold,
        )
    return ok(
        f"条件{number}：单位具备{'、'.join(zh(q) for q in held)}资质，近三年应税收入均 ≥ {amount(threshold.annual)}"
        f"（{basis_zh}；{figures}）",
        f"Condition {number}: unit is {', '.join(en(q) for q in held)}; income ≥ {amount(threshold.annual)} in each "
        f"year ({basis_en}; {figures_en})",
        threshold,
    )


def condition_4(context: Context) -> Verdict:
    """（四）在科技创新主体中工作，在本市近三年每年应税收入超过上一年度本市全社会职工平均工资4倍的人员。"""
    return _income_condition(
        context, 4, INNOVATION_ENTITIES, INNOVATION_MULTIPLIER, "新型研发机构、创新型总部企业、高新技术企业等"
    )


def condition_5(context: Context) -> Verdict:
    """（五）在律师事务所、会计师事务所等科技创新服务主体中工作，近三年每年应税收入超过平均工资8倍的人员。"""
    return _income_condition(context, 5, INNOVATION_SERVICE_ENTITIES, SERVICE_MULTIPLIER, "科技创新服务主体")


def condition_6(context: Context) -> Verdict:
    """（六）以第二作者（含）以上身份取得1项发明专利授权或3项其他专利授权或3项软件著作权登记，在京落地转化。"""
    ip = context.applicant.ip
    if ip is None:
        return fail("条件6不符合：未填写知识产权情况", "Condition 6 not met: no intellectual property given")
    counts = ip.invention_patents or 0, ip.other_patents or 0, ip.software_copyrights or 0
    enough = counts[0] >= 1 or counts[1] >= MIN_OTHER_PATENTS or counts[2] >= MIN_SOFTWARE_COPYRIGHTS
    rank_ok = ip.author_rank is not None and ip.author_rank <= MAX_IP_AUTHOR_RANK
    figures_zh = f"第{ip.author_rank}作者，发明专利{counts[0]}项、其他专利{counts[1]}项、软件著作权{counts[2]}项"
    figures_en = (
        f"author rank {ip.author_rank}, {counts[0]} invention / {counts[1]} other patents, {counts[2]} copyrights"
    )
    if enough and rank_ok and ip.commercialised_in_beijing:
        return ok(f"条件6：{figures_zh}，已在京落地转化", f"Condition 6: {figures_en}, commercialised in Beijing")
    reasons_zh, reasons_en = [], []
    if not rank_ok:
        reasons_zh.append("需第二作者（含）以上")
        reasons_en.append("needs author rank 1 or 2")
    if not enough:
        reasons_zh.append("需1项发明专利或3项其他专利或3项软件著作权")
        reasons_en.append("needs 1 invention patent, 3 other patents or 3 software copyrights")
    if not ip.commercialised_in_beijing:
        reasons_zh.append("需在京落地转化")
        reasons_en.append("needs commercialisation in Beijing")
    return fail(
        f"条件6不符合：{figures_zh}（{'；'.join(reasons_zh)}）",
        f"Condition 6 not met: {figures_en} ({'; '.join(reasons_en)})",
    )


def condition_7(context: Context) -> Verdict:
    """（七）近3年累计自主投入超过500万元或股权类现金融资大于1000万元或近三年平均每年纳税500万元以上的创新创业团队，持股不低于5%且排名前五位的自然人股东。"""
    startup = context.applicant.startup
    if startup is None:
        return fail("条件7不符合：未填写创业团队情况", "Condition 7 not met: no start-up details given")
    share = startup.shareholding_percent or Decimal(0)
    rank = startup.shareholder_rank
    team_ok = (
        (startup.self_investment_3y or 0) > MIN_SELF_INVESTMENT
        or (startup.equity_financing or 0) > MIN_EQUITY_FINANCING
        or (startup.avg_annual_tax_3y or 0) >= MIN_AVG_STARTUP_TAX
    )
    holder_ok = share >= MIN_SHAREHOLDING and rank is not None and rank <= MAX_SHAREHOLDER_RANK
    figures_zh = (
        f"持股 {amount(share)}%，排名第{rank}；自主投入 {amount(startup.self_investment_3y or 0)}、股权融资 "
        f"{amount(startup.equity_financing or 0)}、年均纳税 {amount(startup.avg_annual_tax_3y or 0)}"
    )
    figures_en = (
        f"{amount(share)} % held, rank {rank}; investment {amount(startup.self_investment_3y or 0)}, equity financing "
        f"{amount(startup.equity_financing or 0)}, average tax {amount(startup.avg_annual_tax_3y or 0)}"
    )
    if team_ok and holder_ok:
        return ok(f"条件7：{figures_zh}", f"Condition 7: {figures_en}")
    reasons_zh, reasons_en = [], []
    if not holder_ok:
        reasons_zh.append("需持股不低于5%且排名前五")
        reasons_en.append("needs ≥ 5 % and a top-five rank")
    if not team_ok:
        reasons_zh.append("团队需自主投入超过500万元或股权融资大于1000万元或年均纳税500万元以上")
        reasons_en.append("team needs > 5000000 invested, > 10000000 raised or ≥ 5000000 average yearly tax")
    return fail(
        f"条件7不符合：{figures_zh}（{'；'.join(reasons_zh)}）",
        f"Condition 7 not met: {figures_en} ({'; '.join(reasons_en)})",
    )


def condition_8(context: Context) -> Verdict:
    """（八）近三年每年纳税额20万元（含）以上的自由职业者、个体工商户等人员。"""
    taxes = context.applicant.annual_tax_paid or {}
    years = income_years(context.as_of)
    figures_zh = "、".join(f"{year}年 {amount(taxes.get(year, Decimal(0)))}" for year in years)
    figures_en = ", ".join(f"{year}: {amount(taxes.get(year, Decimal(0)))}" for year in years)
    short = [year for year in years if taxes.get(year, Decimal(0)) < MIN_FREELANCE_TAX]
    if not short:
        return ok(
            f"条件8：近三年纳税均 ≥ 200000（{figures_zh}）", f"Condition 8: tax ≥ 200000 each year ({figures_en})"
        )
    missing = "、".join(str(year) for year in short)
    return fail(
        f"条件8不符合：{missing}年纳税不足200000（{figures_zh}）",
        f"Condition 8 not met: tax below 200000 in {missing} ({figures_en})",
    )


def condition_9(context: Context) -> Verdict:
    """（九）由区委区政府按程序推荐并经市人才工作局批准的人员。"""
    if context.applicant.recommended_and_approved:
        return ok("条件9：已由区委区政府推荐并经市人才工作局批准", "Condition 9: recommended and approved")
    return fail(
        "条件9不符合：未经区委区政府推荐及市人才工作局批准", "Condition 9 not met: not recommended and approved"
    )


def condition_10(context: Context) -> Verdict:
    """（十）持有《境外执业资格认可目录（1.0）版》内境外职业资格的专业人员。"""
    if context.applicant.overseas_qualification:
        return ok("条件10：持有认可目录内境外职业资格", "Condition 10: holds a listed overseas qualification")
    return fail("条件10不符合：未持有认可目录内境外职业资格", "Condition 10 not met: no listed overseas qualification")


CONDITIONS: dict[int, Callable[[Context], Verdict]] = {
    1: condition_1,
    2: condition_2,
    3: condition_3,
    4: condition_4,
    5: condition_5,
    6: condition_6,
    7: condition_7,
    8: condition_8,
    9: condition_9,
    10: condition_10,
}


@rule("A-CONDITION", clause="G3.申请条件.2", reads=("applicant.talent_condition",))
def a_condition(context: Context) -> Verdict:
    """具备下列条件之一的（一）至（十）。"""
    number = context.applicant.talent_condition
    assert number is not None
    verdict = CONDITIONS[number](context)
    return Verdict(
        verdict.outcome, verdict.zh, verdict.en, verdict.income, f"G3.申请条件.2({CHINESE_NUMERALS[number]})"
    )
