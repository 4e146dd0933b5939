"""Hypothesis strategies for assessment requests (contracts/assessment.md §Request).

`requests()` builds complete, valid requests: every fact any rule of any service reads is present (a part or field a
service does not need may be present too), with the codes of POLICY and dates spread around `as_of` so that the
period boundaries of POLICY §3 are reached from both sides. `mutated()` breaks one field of such a request — deleted,
null, of a wrong type, an unknown code, a negative amount, a malformed date — which may or may not make it invalid.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

SERVICES = (
    "unit_opening", "unit_transfer", "initial", "employer_change", "children_change", "info_change", "renewal",
)  # fmt: skip
UNIT_KINDS = (
    "enterprise", "public_institution", "private_non_enterprise", "social_organization", "foreign_branch",
    "domestic_branch", "foreign_rep_office", "other",
)  # fmt: skip
DISTRICTS = ("chaoyang", "haidian", "dongcheng", "xicheng", "fengtai")
QUALIFICATIONS = (
    "new_rnd_institution", "innovative_hq", "high_tech_enterprise", "law_firm", "accounting_firm", "audit_firm",
    "tax_firm", "hr_service_agency", "financial_institution",
)  # fmt: skip
HUKOU = ("non_beijing", "beijing_family", "beijing_collective", "school_temporary")
HOUSING_KINDS = ("owned", "rented_residential", "rented_rural", "unit_housing", "relative", "residence_permit")
RENTED = ("rented_residential", "rented_rural")
CHILD_CASES = ("in_policy", "out_of_policy", "out_of_wedlock", "divorced_custody")
PERMIT_STATUSES = ("valid", "suspended", "expired", "revoked")
CHANGE_SUBTYPES = ("address", "name_or_hukou", "education")

FIRST_AS_OF = date(2021, 1, 1)
LAST_AS_OF = date(2026, 12, 31)


def money(low: int = 0, high: int = 2_000_000) -> st.SearchStrategy[Any]:
    """Yuan: a JSON integer, or a decimal string with fen."""
    return st.one_of(
        st.integers(low, high),
        st.builds(lambda yuan, fen: f"{yuan}.{fen:02d}", st.integers(low, max(low, high - 1)), st.integers(0, 99)),
    )


def income() -> st.SearchStrategy[Any]:
    """Taxable income, dense around the 1.2× and 1.5× thresholds (≈ 135 000 – 219 000) and the 4×/8× ones."""
    return st.one_of(money(0, 1_200_000), money(130_000, 230_000), money(400_000, 1_300_000))


def sometimes_null(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def requests(
    draw: st.DrawFn,
    services: tuple[str, ...] = SERVICES,
    first: date = FIRST_AS_OF,
    last: date = LAST_AS_OF,
) -> dict[str, Any]:
    """A complete, valid request for one of `services`, declared between `first` and `last`."""
    service = draw(st.sampled_from(services))
    as_of = draw(st.dates(first, last))

    def near(low: int = -1200, high: int = 1200) -> str:
        return (as_of + timedelta(days=draw(st.integers(low, high)))).isoformat()

    def or_null(make: Any) -> Any:
        return None if draw(st.integers(0, 3)) == 0 else make()

    years = [str(as_of.year - k) for k in (3, 2, 1)]

    def by_year(amounts: st.SearchStrategy[Any]) -> dict[str, Any]:
        return {year: draw(amounts) for year in years if draw(st.integers(0, 5))}

    status = draw(st.sampled_from(("none", "open", "closed")))
    account: dict[str, Any] = {"status": status}
    if status == "open" or draw(st.booleans()):
        account["district"] = draw(st.sampled_from(DISTRICTS))
    unit = {
        "kind": draw(st.sampled_from(UNIT_KINDS)),
        "legal_person": draw(st.booleans()),
        "registered_district": draw(st.sampled_from(DISTRICTS)),
        "tax_district": draw(st.sampled_from(DISTRICTS)),
        "tax_paid_since": or_null(lambda: near(-2000, 30)),
        "registered_capital": draw(money(0, 3_000_000)),
        "annual_tax": by_year(money(0, 400_000)),
        "account": account,
        "quota_remaining": draw(st.integers(0, 3)),
        "quota_frozen": draw(st.booleans()),
        "penalty": draw(st.sampled_from((None, None, "blacklisted", "service_terminated"))),
        "qualifications": draw(st.lists(st.sampled_from(QUALIFICATIONS), max_size=2, unique=True)),
    }
    housing_kind = draw(st.sampled_from(HOUSING_KINDS))
    housing: dict[str, Any] = {"kind": housing_kind}
    if housing_kind in RENTED or draw(st.booleans()):
        housing["lease_end"] = near(-30, 400)
    permit = None
    if draw(st.booleans()):
        permit = {"status": draw(st.sampled_from(PERMIT_STATUSES)), "valid_until": near(-90, 400)}
    applicant = {
        "nationality": draw(st.sampled_from(("CN", "CN", "CN", "US", "JP"))),
        "hukou": draw(st.sampled_from(HUKOU)),
        "dispatched": draw(st.booleans()),
        "employment_start": near(-1500, 30),
        "contract_end": or_null(lambda: near(-30, 400)),
        "housing": housing,
        "talent_condition": draw(st.integers(1, 10)),
        "degree": draw(st.sampled_from((None, "bachelor", "master", "doctor"))),
        "work_experience_years": draw(st.one_of(st.integers(0, 12), st.sampled_from(("1.5", "2", "2.0")))),
        "professional_title": draw(st.sampled_from((None, "junior", "intermediate", "associate_senior", "senior"))),
        "award": draw(
            sometimes_null(
                st.fixed_dictionaries(
                    {
                        "level": st.sampled_from(("national", "provincial_ministerial", "other")),
                        "grade": st.integers(0, 3),
                    }
                )
            )
        ),
        "ip": draw(
            sometimes_null(
                st.fixed_dictionaries(
                    {
                        "author_rank": st.integers(1, 4),
                        "invention_patents": st.integers(0, 2),
                        "other_patents": st.integers(0, 4),
                        "software_copyrights": st.integers(0, 4),
                        "commercialised_in_beijing": st.booleans(),
                    }
                )
            )
        ),
        "startup": draw(
            sometimes_null(
                st.fixed_dictionaries(
                    {
                        "self_investment_3y": money(0, 8_000_000),
                        "equity_financing": money(0, 15_000_000),
                        "avg_annual_tax_3y": money(0, 8_000_000),
                        "shareholding_percent": st.one_of(st.integers(0, 100), st.just("4.99"), st.just("5.00")),
                        "shareholder_rank": st.integers(1, 8),
                    }
                )
            )
        ),
        "annual_tax_paid": or_null(lambda: by_year(money(150_000, 260_000))),
        "recommended_and_approved": draw(st.booleans()),
        "overseas_qualification": draw(st.booleans()),
        "taxable_income_12m": draw(income()),
        "taxable_income_by_year": or_null(lambda: by_year(income())),
        "income_paid_by_unit": draw(st.booleans()),
        "social_insurance_months_by_unit": draw(st.integers(0, 24)),
        "social_insurance_unit_matches": draw(st.booleans()),
        "children": [{"case": case} for case in draw(st.lists(st.sampled_from(CHILD_CASES), max_size=3))],
        "accompanying_spouse": draw(st.booleans()),
        "permit": permit,
    }
    change = {"subtype": draw(st.sampled_from(CHANGE_SUBTYPES))} if service == "info_change" else None
    return {"service": service, "as_of": as_of.isoformat(), "change": change, "unit": unit, "applicant": applicant}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path inside a request."""
    found: list[tuple[Any, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        found.append((*prefix, key))
        found.extend(_paths(value, (*prefix, key)))
    return found


BAD_VALUES = (
    None, "nope", -1, "-1.00", 1.5, True, [], {}, "2025-02-30", "2025/06/03", "x" * 3, 10**30, "NaN",
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]] | None = None) -> Any:
    """A request with one field deleted or replaced by a value of the wrong shape (or the whole body replaced)."""
    request = copy.deepcopy(draw(base if base is not None else requests()))
    if draw(st.integers(0, 19)) == 0:
        return draw(st.sampled_from(([], "initial", 3, None, {})))
    path = draw(st.sampled_from(_paths(request)))
    holder: Any = request
    for key in path[:-1]:
        holder = holder[key]
    if isinstance(holder, dict) and draw(st.booleans()):
        del holder[path[-1]]
    else:
        holder[path[-1]] = draw(st.sampled_from(BAD_VALUES))
    return request


def raised(amount: Any, by: Decimal) -> Any:
    """An amount in the request's own notation (integer or decimal string), raised by `by` yuan."""
    if isinstance(amount, int):
        return amount + int(by) if by == int(by) else str(Decimal(amount) + by)
    return str(Decimal(amount) + by)


@st.composite
def favourable_initial_requests(draw: st.DrawFn) -> dict[str, Any]:
    """A valid `initial` request whose unit, applicant status and papers pass, so that the talent condition, the
    income and the tenure decide (without this, almost every random `initial` request fails on something else)."""
    request = draw(requests(services=("initial",)))
    as_of = date.fromisoformat(request["as_of"])
    unit, applicant = request["unit"], request["applicant"]
    unit.update(
        account={"status": "open", "district": "chaoyang"}, penalty=None, quota_remaining=draw(st.integers(1, 3)),
        quota_frozen=False,
    )  # fmt: skip
    applicant.update(
        nationality="CN",
        hukou=draw(st.sampled_from(("non_beijing", "beijing_family"))),
        dispatched=False,
        permit=None,
        housing={"kind": draw(st.sampled_from(HOUSING_KINDS)), "lease_end": (as_of + timedelta(days=400)).isoformat()},
        contract_end=draw(st.sampled_from((None, (as_of + timedelta(days=800)).isoformat()))),
        income_paid_by_unit=True,
        social_insurance_months_by_unit=draw(st.integers(12, 24)),
        accompanying_spouse=False,
    )
    if draw(st.integers(0, 9)) < 7:
        _meet_condition(draw, request)
    applicant["taxable_income_12m"] = draw(st.one_of(money(130_000, 260_000), income()))
    return request


def _meet_condition(draw: st.DrawFn, request: dict[str, Any]) -> None:
    """Make the claimed talent condition's facts (POLICY §7) met, or nearly so for the income conditions."""
    unit, applicant = request["unit"], request["applicant"]
    years = [str(int(request["as_of"][:4]) - k) for k in (3, 2, 1)]
    condition = applicant["talent_condition"]
    if condition == 1:
        applicant.update(degree=draw(st.sampled_from(("bachelor", "master", "doctor"))), work_experience_years=3)
    elif condition == 2:
        applicant["professional_title"] = draw(st.sampled_from(("intermediate", "associate_senior", "senior")))
    elif condition == 3:
        applicant["award"] = {"level": "national", "grade": draw(st.integers(0, 2))}
    elif condition in (4, 5):
        unit["qualifications"] = ["high_tech_enterprise"] if condition == 4 else ["law_firm"]
        low, high = (400_000, 800_000) if condition == 4 else (900_000, 1_400_000)
        applicant["taxable_income_by_year"] = {year: draw(money(low, high)) for year in years}
    elif condition == 6:
        applicant["ip"] = {"author_rank": 1, "invention_patents": 1, "other_patents": 0, "software_copyrights": 0,
                           "commercialised_in_beijing": True}  # fmt: skip
    elif condition == 7:
        applicant["startup"] = {"self_investment_3y": 6_000_000, "equity_financing": 0, "avg_annual_tax_3y": 0,
                                "shareholding_percent": 10, "shareholder_rank": 1}  # fmt: skip
    elif condition == 8:
        applicant["annual_tax_paid"] = {year: 200_000 for year in years}
    elif condition == 9:
        applicant["recommended_and_approved"] = True
    else:
        applicant["overseas_qualification"] = True
