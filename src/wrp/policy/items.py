"""The seven service items (事项) of POLICY §1: time limits, review chains, quota, and the rules each applies.

Rules are listed in the order the guide states them; a rule with a condition applies only where the condition holds
(U-CAPITAL and U-TAX-AMOUNT for legal-person enterprises, A-INCOME from 2021 and not for conditions 4–5, A-HOUSING
for an address change, P-RESERVE when there is a permit). A rule that does not apply is absent from the assessment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wrp.policy.codes import ChangeSubtype, Reviewer, Service
from wrp.policy.rules.applicant import general_income_applies
from wrp.policy.rules.base import Context
from wrp.policy.rules.unit import is_legal_person_enterprise

Applies = Callable[[Context], bool]


def _has_permit(context: Context) -> bool:
    return context.applicant.permit is not None


def _address_change(context: Context) -> bool:
    return context.subtype == ChangeSubtype.ADDRESS


@dataclass(frozen=True)
class Item:
    service: Service
    section: str  # G1 … G7
    title_zh: str
    title_en: str
    time_limit: int  # working days
    review_chain: tuple[Reviewer, ...]
    needs_quota: bool
    rules: tuple[tuple[str, Applies | None], ...]
    manual_checks: tuple[tuple[str, str], ...] = ()


WINDOW = (Reviewer.WINDOW,)
WINDOW_AND_BUREAU = (Reviewer.WINDOW, Reviewer.DISTRICT_BUREAU)
CAPITAL_FUNCTION = (
    "符合首都城市功能定位和首都经济发展方向及产业规划要求",
    "Fits the capital's functions, economic direction and industrial plans",
)
_UNIT_CONDITIONS: tuple[tuple[str, Applies | None], ...] = (
    ("U-KIND", None),
    ("U-REGISTERED", None),
    ("U-TAX-YEAR", None),
    ("U-CAPITAL", is_legal_person_enterprise),
    ("U-TAX-AMOUNT", is_legal_person_enterprise),
)

ITEMS: dict[Service, Item] = {
    item.service: item
    for item in (
        Item(
            Service.UNIT_OPENING,
            "G1",
            "单位办理北京市工作居住证开户",
            "Unit account opening",
            7,
            WINDOW,
            False,
            (*_UNIT_CONDITIONS, ("U-NOT-OPEN", None), ("U-PENALTY", None)),
            (CAPITAL_FUNCTION,),
        ),
        Item(
            Service.UNIT_TRANSFER,
            "G2",
            "单位办理北京市工作居住证单位跨区信息变更",
            "Unit cross-district transfer",
            7,
            WINDOW,
            False,
            (("U-OPEN-ELSEWHERE", None), *_UNIT_CONDITIONS, ("U-PENALTY", None)),
            (CAPITAL_FUNCTION,),
        ),
        Item(
            Service.INITIAL,
            "G3",
            "单位为聘用人员办理北京市工作居住证初次申请",
            "First application",
            20,
            WINDOW_AND_BUREAU,
            True,
            (
                ("U-OPEN-HERE", None),
                ("U-PENALTY", None),
                ("U-QUOTA", None),
                ("A-NATIONALITY", None),
                ("A-HUKOU", None),
                ("A-DISPATCH", None),
                ("A-NO-PERMIT", None),
                ("A-TENURE", None),
                ("A-HOUSING", None),
                ("A-CONDITION", None),
                ("A-INCOME", general_income_applies),
                ("A-INCOME-PAYER", None),
                ("A-SOCIAL-INSURANCE", None),
                ("A-CONTRACT", None),
                ("A-NO-SPOUSE", None),
            ),
        ),
        Item(
            Service.EMPLOYER_CHANGE,
            "G4",
            "单位办理北京市工作居住证个人聘用单位变更",
            "Change of employer",
            20,
            WINDOW,
            True,
            (
                ("U-OPEN-HERE", None),
                ("U-PENALTY", None),
                ("U-QUOTA", None),
                ("P-TRANSFERABLE", None),
                ("A-SI-TRANSFERRED", None),
                ("A-CONTRACT", None),
                ("P-RESERVE", _has_permit),
            ),
        ),
        Item(
            Service.CHILDREN_CHANGE,
            "G5",
            "单位办理北京市工作居住证个人随往人员变更",
            "Accompanying children",
            20,
            WINDOW,
            False,
            (
                ("U-OPEN-HERE", None),
                ("U-PENALTY", None),
                ("P-VALID", None),
                ("A-CHILDREN", None),
                ("A-NO-SPOUSE", None),
            ),
        ),
        Item(
            Service.INFO_CHANGE,
            "G6",
            "单位办理北京市工作居住证个人证件基础信息变更",
            "Basic information change",
            20,
            WINDOW,
            False,
            (("U-OPEN-HERE", None), ("U-PENALTY", None), ("P-VALID", None), ("A-HOUSING", _address_change)),
        ),
        Item(
            Service.RENEWAL,
            "G7",
            "单位为聘用人员办理北京市工作居住证续签",
            "Renewal",
            20,
            WINDOW_AND_BUREAU,
            False,
            (
                ("U-OPEN-HERE", None),
                ("U-PENALTY", None),
                ("P-VALID", None),
                ("P-RENEWAL-WINDOW", None),
                ("A-CONTRACT", None),
                ("A-INCOME-PAYER", None),
                ("A-SOCIAL-INSURANCE", None),
                ("P-RESERVE", _has_permit),
            ),
        ),
    )
}
