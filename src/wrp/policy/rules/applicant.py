"""Applicant rules (POLICY §6): who may hold a permit, and what an applicant must show for each personal item.

Hard requirements (nationality, hukou, housing, contract, income) fail; 「一般应在用人单位工作满1年」 is qualified by
一般 "generally" and so yields `review`. Periods follow POLICY §3: the start day is not counted and month arithmetic
clamps to the month's end.
"""

from __future__ import annotations

from decimal import Decimal

from wrp.policy.codes import RENTED_HOUSING, Hukou, PermitStatus, UnitKind
from wrp.policy.labels import en, zh
from wrp.policy.periods import add_months, add_years
from wrp.policy.rules.base import Context, Verdict, amount, fail, ok, review, rule
from wrp.policy.wages import Threshold, WageRow

LOWER_MULTIPLIER_KINDS = frozenset(
    {UnitKind.PUBLIC_INSTITUTION, UnitKind.PRIVATE_NON_ENTERPRISE, UnitKind.SOCIAL_ORGANIZATION}
)
LOWER_MULTIPLIER = Decimal("1.2")
GENERAL_MULTIPLIER = Decimal("1.5")
CONDITIONS_WITHOUT_GENERAL_INCOME = frozenset({4, 5})
GENERAL_INCOME_RULE_FROM = (2021, 1, 1)
CONTRACT_MONTHS_LEFT = 3
LEASE_MONTHS_LEFT = 6
SOCIAL_INSURANCE_MONTHS = 12
LIVE_PERMIT = frozenset({PermitStatus.VALID, PermitStatus.SUSPENDED})


def reference_wage(context: Context) -> WageRow:
    """The reference row for the declaration date; facts validation guarantees it exists where a rule needs it."""
    row = context.wages.reference(context.as_of)
    assert row is not None, "validated before the rules run"
    return row


def general_income_applies(context: Context) -> bool:
    """A-INCOME applies from 2021-01-01 (POLICY §4) and not to conditions 4 and 5."""
    return (
        context.as_of.year,
        context.as_of.month,
        context.as_of.day,
    ) >= GENERAL_INCOME_RULE_FROM and context.applicant.talent_condition not in CONDITIONS_WITHOUT_GENERAL_INCOME


@rule("A-NATIONALITY", clause="G3.注意事项.4", reads=("applicant.nationality",))
def a_nationality(context: Context) -> Verdict:
    """申请人为非中国籍的，不在受理范围之内。"""
    nationality = context.applicant.nationality
    if nationality == "CN":
        return ok("申请人为中国籍", "The applicant is a Chinese national")
    return fail(
        f"申请人国籍为{nationality}，非中国籍不在受理范围之内", f"Nationality {nationality}: only Chinese nationals"
    )


@rule("A-HUKOU", clause="G3.注意事项.4", reads=("applicant.hukou",))
def a_hukou(context: Context) -> Verdict:
    """申请人为北京市集体户口、学校临时户口的，不在受理范围之内。"""
    hukou = context.applicant.hukou
    if hukou in (Hukou.BEIJING_COLLECTIVE, Hukou.SCHOOL_TEMPORARY):
        return fail(f"申请人为{zh(hukou)}，不在受理范围之内", f"{en(hukou)}: not accepted")
    return ok(f"户籍类型：{zh(hukou)}", f"Hukou: {en(hukou)}")


@rule("A-DISPATCH", clause="G3.注意事项.5", reads=("applicant.dispatched", "unit.kind"))
def a_dispatch(context: Context) -> Verdict:
    """除外国公司北京代表处外，其他性质单位派遣员工，不在受理范围之内。"""
    if not context.applicant.dispatched:
        return ok("申请人非派遣员工", "The applicant is not a dispatched worker")
    if context.unit.kind == UnitKind.FOREIGN_REP_OFFICE:
        return ok("外国公司北京代表处的派遣员工可以受理", "Dispatched to a foreign company's representative office")
    return fail(
        "派遣员工不在受理范围之内（外国公司北京代表处除外）",
        "Dispatched workers are not accepted (except at foreign companies' representative offices)",
    )


@rule("A-NO-PERMIT", clause="G3", reads=("applicant.permit",))
def a_no_permit(context: Context) -> Verdict:
    """已持有效（或挂起）工作居住证的，应办理个人聘用单位变更而非初次申请。"""
    permit = context.applicant.permit
    if permit is None:
        return ok("申请人未持有工作居住证", "The applicant holds no permit")
    assert permit.valid_until is not None
    if permit.status in LIVE_PERMIT and permit.valid_until >= context.as_of:
        return fail(
            f"申请人已持有{zh(permit.status)}的工作居住证（有效期至{permit.valid_until.isoformat()}），应办理聘用单位变更",
            f"The applicant already holds a {en(permit.status).lower()} permit (until {permit.valid_until.isoformat()}): "
            "use employer_change",
        )
    return ok(f"原工作居住证状态为{zh(permit.status)}，可重新申请", f"Former permit is {en(permit.status).lower()}")


@rule("A-TENURE", clause="G3.申请条件.2", reads=("applicant.employment_start",))
def a_tenure(context: Context) -> Verdict:
    """申请人一般应在用人单位工作满1年。"""
    start = context.applicant.employment_start
    assert start is not None
    full_year = add_years(start, 1)
    if full_year <= context.as_of:
        return ok(f"自{start.isoformat()}入职，已满1年", f"Employed since {start.isoformat()}: a full year")
    return review(
        f"自{start.isoformat()}入职，{full_year.isoformat()}方满1年；一般应满1年，由工作人员审核决定",
        f"Employed since {start.isoformat()}: a full year only on {full_year.isoformat()}; generally required — "
        "staff decide",
    )


@rule("A-HOUSING", clause="G3.办理材料.2", reads=("applicant.housing",))
def a_housing(context: Context) -> Verdict:
    """在本市有合法稳定住所；租住的，尚有6个月以上租赁期限。"""
    housing = context.applicant.housing
    assert housing is not None
    assert housing.kind is not None
    if housing.kind not in RENTED_HOUSING:
        return ok(f"住所类型：{zh(housing.kind)}", f"Housing: {en(housing.kind)}")
    lease_end = housing.lease_end
    assert lease_end is not None
    needed = add_months(context.as_of, LEASE_MONTHS_LEFT)
    if lease_end >= needed:
        return ok(
            f"{zh(housing.kind)}，租期至{lease_end.isoformat()}，尚有6个月以上（需至{needed.isoformat()}）",
            f"{en(housing.kind)}, lease until {lease_end.isoformat()}: 6 months or more left (needs {needed.isoformat()})",
        )
    return fail(
        f"{zh(housing.kind)}，租期至{lease_end.isoformat()}，不足6个月（需至少至{needed.isoformat()}）",
        f"{en(housing.kind)}, lease until {lease_end.isoformat()}: less than 6 months left "
        f"(needs {needed.isoformat()})",
    )


def general_threshold(context: Context) -> Threshold:
    kind = context.unit.kind
    multiplier = LOWER_MULTIPLIER if kind in LOWER_MULTIPLIER_KINDS else GENERAL_MULTIPLIER
    return Threshold(reference_wage(context), multiplier)


@rule("A-INCOME", clause="G3.申请条件.2", reads=("applicant.taxable_income_12m", "unit.kind"))
def a_income(context: Context) -> Verdict:
    """年应税收入应达到上一年度本市全社会职工平均工资的一定倍数（事业单位等1.2倍，其他1.5倍）。"""
    income = context.applicant.taxable_income_12m
    assert income is not None
    threshold = general_threshold(context)
    wage = threshold.reference
    basis_zh = f"{wage.year}年月平均工资 {amount(wage.monthly)} × {amount(threshold.multiplier)} × 12"
    basis_en = f"{wage.year} monthly average wage {amount(wage.monthly)} × {amount(threshold.multiplier)} × 12"
    if income >= threshold.annual:
        return ok(
            f"近12个月应税收入 {amount(income)} ≥ {amount(threshold.annual)}（{basis_zh}）",
            f"Taxable income of the last 12 months {amount(income)} ≥ {amount(threshold.annual)} ({basis_en})",
            threshold,
        )
    return fail(
        f"近12个月应税收入 {amount(income)} < {amount(threshold.annual)}（{basis_zh}）",
        f"Taxable income of the last 12 months {amount(income)} < {amount(threshold.annual)} ({basis_en})",
        threshold,
    )


@rule("A-INCOME-PAYER", clause="G3.办理材料.6", reads=("applicant.income_paid_by_unit",))
def a_income_payer(context: Context) -> Verdict:
    """个人所得税需由与其建立劳动合同关系的申请单位缴纳，不得由第三方代扣代缴。"""
    if context.applicant.income_paid_by_unit:
        return ok("个人所得税由申请单位代扣代缴", "Income tax is withheld by the applying unit")
    return fail(
        "个人所得税须由申请单位缴纳，不得由第三方代扣代缴", "Income tax must be withheld by the applying unit itself"
    )


@rule("A-SOCIAL-INSURANCE", clause="G3.办理材料.8", reads=("applicant.social_insurance_months_by_unit",))
def a_social_insurance(context: Context) -> Verdict:
    """近12个月社会保险需由与其建立劳动合同关系的申请单位正常缴纳。"""
    months = context.applicant.social_insurance_months_by_unit
    assert months is not None
    if months >= SOCIAL_INSURANCE_MONTHS:
        return ok(
            f"申请单位已缴纳社会保险 {months} 个月（≥12）", f"{months} months of social insurance paid by the unit"
        )
    return fail(
        f"申请单位缴纳社会保险仅 {months} 个月，需近12个月由申请单位缴纳",
        f"Only {months} months of social insurance paid by the unit; 12 are needed",
    )


@rule("A-SI-TRANSFERRED", clause="G4.注意事项.5", reads=("applicant.social_insurance_unit_matches",))
def a_si_transferred(context: Context) -> Verdict:
    """新聘用单位完成社保增员后提交；社保增员单位与新聘用单位不符的，不在受理范围之内。"""
    if context.applicant.social_insurance_unit_matches:
        return ok("社保增员单位与新聘用单位一致", "Social insurance has moved to the new unit")
    return fail(
        "社保增员单位与新聘用单位不符（须先完成社保增员）",
        "Social insurance is not yet with the new unit (complete the transfer first)",
    )


@rule("A-CONTRACT", clause="G3.办理材料.5", reads=("applicant.contract_end",))
def a_contract(context: Context) -> Verdict:
    """申请人需提交尚有三个月以上合同期限的劳动合同。"""
    end = context.applicant.contract_end
    if end is None:
        return ok("无固定期限劳动合同", "Open-ended labour contract")
    needed = add_months(context.as_of, CONTRACT_MONTHS_LEFT)
    if end >= needed:
        return ok(
            f"劳动合同至{end.isoformat()}，尚有三个月以上（需至{needed.isoformat()}）",
            f"Contract until {end.isoformat()}: 3 months or more left (needs {needed.isoformat()})",
        )
    return fail(
        f"劳动合同至{end.isoformat()}，不足三个月（需至少至{needed.isoformat()}）",
        f"Contract until {end.isoformat()}: less than 3 months left (needs {needed.isoformat()})",
    )


@rule("A-NO-SPOUSE", clause="G3.注意事项.6", reads=("applicant.accompanying_spouse",))
def a_no_spouse(context: Context) -> Verdict:
    """系统升级后不再随往配偶，只可增加随往子女信息。"""
    if context.applicant.accompanying_spouse:
        return fail("系统升级后不再随往配偶，只可增加随往子女", "Spouses can no longer accompany; only children")
    return ok("未申请随往配偶", "No accompanying spouse requested")


@rule("A-CHILDREN", clause="G5.办理材料.2", reads=("applicant.children",))
def a_children(context: Context) -> Verdict:
    """上传随往子女材料（按子女情形之一）。"""
    children = context.applicant.children or []
    if not children:
        return fail("未填写随往子女", "No accompanying child given")
    cases_zh = "、".join(zh(child.case) for child in children)
    cases_en = ", ".join(en(child.case) for child in children)
    return ok(f"随往子女 {len(children)} 名：{cases_zh}", f"{len(children)} accompanying child(ren): {cases_en}")
