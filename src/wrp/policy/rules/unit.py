"""Unit rules (POLICY §5): who may open an account in Chaoyang, move one here, and file personal cases.

The opening conditions of G1 mix hard requirements (a lawful, registered organisation; enterprises and public
institutions must be legal persons) with ones the guide qualifies as 原则上 "in principle" (registration and a year of
tax in Chaoyang, capital, tax amounts): those yield `review`, for staff to decide with a recorded reason.
"""

from __future__ import annotations

from decimal import Decimal

from wrp.policy.codes import HOME_DISTRICT, AccountStatus, Penalty, UnitKind
from wrp.policy.labels import en, zh
from wrp.policy.periods import add_years
from wrp.policy.rules.base import Context, Verdict, amount, cited, fail, ok, review, rule

LEGAL_PERSON_KINDS = frozenset({UnitKind.ENTERPRISE, UnitKind.PUBLIC_INSTITUTION})
MIN_CAPITAL = Decimal(1_000_000)
MIN_TAX_LAST_YEAR = Decimal(200_000)
MIN_TAX_THREE_YEARS = Decimal(600_000)


def is_legal_person_enterprise(context: Context) -> bool:
    """U-CAPITAL and U-TAX-AMOUNT apply to 具有法人资格的企业 only."""
    return context.unit.kind == UnitKind.ENTERPRISE and context.unit.legal_person is True


@rule("U-KIND", clause="G1.申请条件", reads=("unit.kind", "unit.legal_person"))
def u_kind(context: Context) -> Verdict:
    """具有法人资格的企事业单位、民办非企业单位、社会团体，外国（地区）、外埠在京设立的非法人分支机构等合法注册备案的机构。"""
    kind = context.unit.kind
    assert kind is not None
    if kind == UnitKind.OTHER:
        return fail(
            "单位类型不在可开户范围内（须为企事业单位、民办非企业单位、社会团体或外国（地区）、外埠在京设立的非法人分支机构）",
            "The unit's kind is not one that may open an account (enterprises, public institutions, private "
            "non-enterprise units, social organisations, branches of foreign or out-of-town organisations)",
        )
    if kind in LEGAL_PERSON_KINDS and context.unit.legal_person is not True:
        return fail(
            f"{zh(kind)}须具有法人资格",
            f"{en(kind)}: must be a legal person",
        )
    return ok(f"单位类型：{zh(kind)}，符合开户主体要求", f"Unit kind {en(kind)} may open an account")


@rule("U-REGISTERED", clause="G1.申请条件", reads=("unit.registered_district",))
def u_registered(context: Context) -> Verdict:
    """原则上应在朝阳区工商注册。"""
    district = context.unit.registered_district
    if district == HOME_DISTRICT:
        return ok("已在朝阳区工商注册", "Registered with the Chaoyang market regulator")
    return review(
        f"工商注册地为{zh(district)}，非朝阳区；原则上应在朝阳区注册，由工作人员审核决定",
        f"Registered in {en(district)}, not Chaoyang; registration in Chaoyang is required in principle — staff decide",
    )


@rule("U-TAX-YEAR", clause="G1.申请条件", reads=("unit.tax_district", "unit.tax_paid_since"))
def u_tax_year(context: Context) -> Verdict:
    """原则上应在朝阳区税务登记并缴纳税费满1年。"""
    unit = context.unit
    since = unit.tax_paid_since
    if unit.tax_district != HOME_DISTRICT or since is None:
        return review(
            "未在朝阳区税务登记纳税；原则上应在朝阳区纳税满1年，由工作人员审核决定",
            "Not paying tax in Chaoyang; a year of tax in Chaoyang is required in principle — staff decide",
        )
    full_year = add_years(since, 1)
    if full_year <= context.as_of:
        return ok(
            f"自{since.isoformat()}起在朝阳区纳税，已满1年",
            f"Paying tax in Chaoyang since {since.isoformat()}: a full year",
        )
    return review(
        f"自{since.isoformat()}起在朝阳区纳税，{full_year.isoformat()}方满1年；原则上应满1年，由工作人员审核决定",
        f"Paying tax in Chaoyang since {since.isoformat()}: a full year only on {full_year.isoformat()}; "
        "required in principle — staff decide",
    )


@rule("U-CAPITAL", clause="G1.申请条件", reads=("unit.registered_capital",))
def u_capital(context: Context) -> Verdict:
    """具有法人资格的企业，注册资本应不低于100万元。"""
    capital = context.unit.registered_capital
    assert capital is not None
    if capital >= MIN_CAPITAL:
        return ok(f"注册资本 {amount(capital)} 元 ≥ 1000000 元", f"Registered capital {amount(capital)} ≥ 1000000 yuan")
    return review(
        f"注册资本 {amount(capital)} 元 < 1000000 元；应不低于100万元，由工作人员审核决定",
        f"Registered capital {amount(capital)} < 1000000 yuan — staff decide",
    )


@rule("U-TAX-AMOUNT", clause="G1.申请条件", reads=("unit.annual_tax",))
def u_tax_amount(context: Context) -> Verdict:
    """年纳税额原则上不低于20万或近三年累计纳税不低于60万元。"""
    taxes = context.unit.annual_tax or {}
    year = context.as_of.year
    last = taxes.get(year - 1, Decimal(0))
    three = sum((taxes.get(y, Decimal(0)) for y in range(year - 3, year)), Decimal(0))
    numbers_zh = f"{year - 1}年纳税 {amount(last)} 元，{year - 3}–{year - 1}年累计 {amount(three)} 元"
    numbers_en = f"tax {amount(last)} in {year - 1}, {amount(three)} over {year - 3}–{year - 1}"
    if last >= MIN_TAX_LAST_YEAR or three >= MIN_TAX_THREE_YEARS:
        return ok(f"{numbers_zh}（年纳税≥20万或三年累计≥60万）", f"{numbers_en} (≥ 200000 a year or ≥ 600000 in three)")
    return review(
        f"{numbers_zh}，未达年纳税20万元或近三年累计60万元；原则上应达到，由工作人员审核决定",
        f"{numbers_en}: below 200000 a year and 600000 in three years — required in principle, staff decide",
    )


@rule("U-NOT-OPEN", clause="G1.办理流程", reads=("unit.account",))
def u_not_open(context: Context) -> Verdict:
    """单位尚未开户（已在其他区开户的，办理单位跨区信息变更）。"""
    account = context.unit.account
    assert account is not None
    if account.status != AccountStatus.OPEN:
        return ok("单位尚未开户", "The unit has no open account")
    if account.district == HOME_DISTRICT:
        return fail("单位已在朝阳区开户，无需重复开户", "The unit already has an account in Chaoyang")
    return fail(
        f"单位已在{zh(account.district)}开户，应办理单位跨区信息变更",
        f"The unit has an account in {en(account.district)}: use the cross-district transfer (unit_transfer)",
    )


@rule("U-OPEN-ELSEWHERE", clause="G2.申请条件.1-2", reads=("unit.account",))
def u_open_elsewhere(context: Context) -> Verdict:
    """已在其他区成功办理工作居住证开户的单位，且开户状态显示为有效。"""
    account = context.unit.account
    assert account is not None
    if account.status == AccountStatus.OPEN and account.district not in (None, HOME_DISTRICT):
        return ok(
            f"单位已在{zh(account.district)}开户且状态有效", f"The unit's account in {en(account.district)} is open"
        )
    if account.status == AccountStatus.OPEN:
        return fail("单位已在朝阳区开户，无需跨区变更", "The unit's account is already in Chaoyang")
    return fail(
        "单位未在其他区开户或开户状态无效，应办理单位开户",
        "The unit has no valid account in another district: use account opening (unit_opening)",
    )


@rule("U-OPEN-HERE", clause="G3.申请条件.1", reads=("unit.account",))
def u_open_here(context: Context) -> Verdict:
    """单位已在朝阳区办理工作居住证开户。"""
    return cited(context, _u_open_here(context), "申请条件.1")


def _u_open_here(context: Context) -> Verdict:
    account = context.unit.account
    assert account is not None
    if account.status == AccountStatus.OPEN and account.district == HOME_DISTRICT:
        return ok("单位已在朝阳区开户", "The unit has an open account in Chaoyang")
    return fail("单位未在朝阳区开户（或开户状态无效）", "The unit has no open account in Chaoyang")


@rule("U-PENALTY", clause="G4.注意事项.6", reads=("unit.penalty",))
def u_penalty(context: Context) -> Verdict:
    """按照冻结指标、终止服务、纳入黑名单等进行处罚。"""
    penalty = context.unit.penalty
    if penalty is None:
        return ok("单位未被终止服务或纳入黑名单", "The unit is neither blacklisted nor terminated")
    if penalty == Penalty.BLACKLISTED:
        return fail("单位已被纳入黑名单，不予受理", "The unit is blacklisted")
    return fail("单位已被终止服务，不予受理", "The unit's service has been terminated")


@rule("U-QUOTA", clause="G3.申请条件.1", reads=("unit.quota_remaining", "unit.quota_frozen"))
def u_quota(context: Context) -> Verdict:
    """已取得当年工作居住证新办指标。"""
    return cited(context, _u_quota(context), "申请条件.1")


def _u_quota(context: Context) -> Verdict:
    unit = context.unit
    year = context.as_of.year
    if unit.quota_frozen:
        return fail(f"单位{year}年度指标已被冻结", f"The unit's {year} quota is frozen")
    remaining = unit.quota_remaining or 0
    if remaining >= 1:
        return ok(f"单位{year}年度剩余指标 {remaining} 个", f"{remaining} of the unit's {year} quota left")
    return fail(f"单位{year}年度新办指标已用完或未取得", f"The unit has no {year} quota left")
