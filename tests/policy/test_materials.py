"""The materials checklist of POLICY §8: exactly the union of the rows that apply to a case, one code each."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.policy.factories import SERVICES, base_request
from wrp.policy import assess
from wrp.policy.materials import MATERIALS

CJK = re.compile(r"[\u4e00-\u9fff]")


def materials_of(service: str, changes: dict[str, Any] | None = None, **kwargs: Any) -> list[str]:
    return assess(base_request(service, changes, **kwargs)).materials


# --- base checklists (owned home, condition 1, no child; unit registered and taxed in Chaoyang) ------------------------

BASE = {
    "unit_opening": ("unit_opening", "address", {"business_license", "unit_integrity_declaration", "unit_tax_certificates",
                                                 "handler_id_card", "unit_social_insurance_record"}),
    "unit_transfer": ("unit_transfer", "address", {"unit_tax_certificates", "unit_social_insurance_record"}),
    "initial": ("initial", "address", {"personal_integrity_declaration", "housing_owned", "hukou_book",
                                       "degree_and_diploma", "labour_contract", "taxable_income_12m",
                                       "social_insurance_12m"}),
    "employer_change": ("employer_change", "address", {"personal_integrity_declaration", "labour_contract",
                                                       "social_insurance_12m", "termination_certificate"}),
    "children_change": ("children_change", "address", {"personal_integrity_declaration", "child_in_policy",
                                                       "social_insurance_12m"}),
    "info_change_address": ("info_change", "address", {"personal_integrity_declaration", "housing_owned",
                                                       "social_insurance_12m"}),
    "info_change_name_or_hukou": ("info_change", "name_or_hukou", {"personal_integrity_declaration", "hukou_book",
                                                                   "social_insurance_12m"}),
    "info_change_education": ("info_change", "education", {"personal_integrity_declaration", "new_degree_certificate",
                                                           "social_insurance_12m"}),
    "renewal": ("renewal", "address", {"personal_integrity_declaration", "labour_contract", "taxable_income_12m",
                                       "social_insurance_12m"}),
}  # fmt: skip


@pytest.mark.parametrize(("service", "subtype", "expected"), list(BASE.values()), ids=list(BASE))
def test_each_item_carries_exactly_the_materials_of_its_rows(service: str, subtype: str, expected: set[str]) -> None:
    # a home is given even where the subtype does not read it: its material must still not be asked for
    changes = {"applicant.housing": {"kind": "owned"}} if service == "info_change" else None
    materials = materials_of(service, changes, subtype=subtype)
    assert set(materials) == expected
    assert len(materials) == len(set(materials))


# --- housing -------------------------------------------------------------------------------------------------------

HOUSING = {
    "owned": ({"kind": "owned"}, "housing_owned"),
    "rented_residential": ({"kind": "rented_residential", "lease_end": "2026-06-03"}, "housing_rented_residential"),
    "rented_rural": ({"kind": "rented_rural", "lease_end": "2026-06-03"}, "housing_rented_rural"),
    "unit_housing": ({"kind": "unit_housing"}, "housing_unit"),
    "relative": ({"kind": "relative"}, "housing_relative"),
    "residence_permit": ({"kind": "residence_permit"}, "housing_residence_permit"),
}
HOUSING_CODES = {code for _, code in HOUSING.values()}


@pytest.mark.parametrize("service", ["initial", "info_change"])
@pytest.mark.parametrize(("housing", "code"), list(HOUSING.values()), ids=list(HOUSING))
def test_the_home_is_proved_by_the_material_of_its_kind(service: str, housing: dict[str, str], code: str) -> None:
    materials = materials_of(service, {"applicant.housing": housing}, subtype="address")
    assert set(materials) & HOUSING_CODES == {code}


@pytest.mark.parametrize(
    ("service", "subtype"),
    [("employer_change", "address"), ("children_change", "address"), ("renewal", "address"),
     ("info_change", "name_or_hukou"), ("info_change", "education")],
    ids=["employer_change", "children_change", "renewal", "info_change_name_or_hukou", "info_change_education"],
)  # fmt: skip
def test_no_housing_material_outside_initial_and_address_change(service: str, subtype: str) -> None:
    materials = materials_of(service, {"applicant.housing": {"kind": "relative"}}, subtype=subtype)
    assert not set(materials) & HOUSING_CODES


# --- children -------------------------------------------------------------------------------------------------------

CHILD_CASES = {
    "in_policy": ("in_policy", "child_in_policy"),
    "out_of_policy": ("out_of_policy", "child_out_of_policy"),
    "out_of_wedlock": ("out_of_wedlock", "child_out_of_wedlock"),
    "divorced_custody": ("divorced_custody", "child_divorced_custody"),
}
CHILD_CODES = {code for _, code in CHILD_CASES.values()}


@pytest.mark.parametrize("service", ["initial", "children_change"])
@pytest.mark.parametrize(("case", "code"), list(CHILD_CASES.values()), ids=list(CHILD_CASES))
def test_each_child_case_has_its_own_material(service: str, case: str, code: str) -> None:
    materials = materials_of(service, {"applicant.children": [{"case": case}]})
    assert set(materials) & CHILD_CODES == {code}


@pytest.mark.parametrize("service", ["initial", "children_change"])
def test_children_of_several_cases_bring_each_cases_material_once(service: str) -> None:
    children = [{"case": "in_policy"}, {"case": "out_of_wedlock"}, {"case": "in_policy"}]
    materials = materials_of(service, {"applicant.children": children})
    assert set(materials) & CHILD_CODES == {"child_in_policy", "child_out_of_wedlock"}
    assert materials.count("child_in_policy") == 1


def test_a_first_application_without_children_carries_no_child_material() -> None:
    assert not set(materials_of("initial", {"applicant.children": []})) & CHILD_CODES


@pytest.mark.parametrize("service", ["employer_change", "info_change", "renewal"])
def test_children_materials_are_only_for_initial_and_children_change(service: str) -> None:
    materials = materials_of(service, {"applicant.children": [{"case": "in_policy"}]})
    assert not set(materials) & CHILD_CODES


# --- talent conditions (POLICY §7) -----------------------------------------------------------------------------------

CONDITION_CODES: dict[int, set[str]] = {
    1: {"degree_and_diploma"},
    2: {"title_and_diploma"},
    3: {"award_certificate"},
    4: {"unit_qualification", "taxable_income_3y"},
    5: {"unit_qualification", "taxable_income_3y"},
    6: {"ip_certificates", "ip_commercialisation"},
    7: {"articles_of_association", "investment_or_tax_evidence"},
    8: {"contribution_evidence", "tax_records_3y"},
    9: {"approval_documents"},
    10: {"overseas_qualification", "overseas_qualification_check"},
}
ALL_CONDITION_CODES = set().union(*CONDITION_CODES.values())
INITIAL_ALWAYS = {"personal_integrity_declaration", "housing_owned", "hukou_book", "labour_contract",
                  "taxable_income_12m", "social_insurance_12m"}  # fmt: skip


@pytest.mark.parametrize("condition", list(CONDITION_CODES), ids=[f"condition_{n}" for n in CONDITION_CODES])
def test_the_claimed_condition_brings_its_evidence(condition: int) -> None:
    changes = {"applicant.talent_condition": condition, "applicant.recommended_and_approved": False,
               "applicant.overseas_qualification": False}  # fmt: skip
    materials = materials_of("initial", changes)
    assert set(materials) == INITIAL_ALWAYS | CONDITION_CODES[condition]
    assert len(materials) == len(set(materials))


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "initial"])
def test_condition_evidence_is_only_for_a_first_application(service: str) -> None:
    assert not set(materials_of(service)) & ALL_CONDITION_CODES


# --- unit tax certificates for units taxed in Chaoyang but registered elsewhere ---------------------------------------

TAX_CERTIFICATES = {
    "children_change_taxed_here_registered_elsewhere": ("children_change", "chaoyang", "haidian", True),
    "info_change_taxed_here_registered_elsewhere": ("info_change", "chaoyang", "haidian", True),
    "renewal_taxed_here_registered_elsewhere": ("renewal", "chaoyang", "haidian", True),
    "renewal_taxed_here_registered_outside_beijing": ("renewal", "chaoyang", "outside_beijing", True),
    "children_change_taxed_and_registered_here": ("children_change", "chaoyang", "chaoyang", False),
    "info_change_taxed_and_registered_here": ("info_change", "chaoyang", "chaoyang", False),
    "renewal_taxed_and_registered_here": ("renewal", "chaoyang", "chaoyang", False),
    "renewal_taxed_elsewhere_registered_here": ("renewal", "haidian", "chaoyang", False),
    "renewal_taxed_and_registered_elsewhere": ("renewal", "haidian", "haidian", False),
    "initial_taxed_here_registered_elsewhere": ("initial", "chaoyang", "haidian", False),
    "employer_change_taxed_here_registered_elsewhere": ("employer_change", "chaoyang", "haidian", False),
}


@pytest.mark.parametrize(
    ("service", "taxed", "registered", "expected"), list(TAX_CERTIFICATES.values()), ids=list(TAX_CERTIFICATES)
)
def test_unit_tax_certificates_join_personal_changes_of_units_taxed_here_but_registered_elsewhere(
    service: str, taxed: str, registered: str, expected: bool
) -> None:
    materials = materials_of(service, {"unit.tax_district": taxed, "unit.registered_district": registered})
    assert ("unit_tax_certificates" in materials) is expected
    assert materials.count("unit_tax_certificates") <= 1


@pytest.mark.parametrize("service", ["unit_opening", "unit_transfer"])
def test_unit_items_carry_tax_certificates_once_wherever_the_unit_is_registered(service: str) -> None:
    materials = materials_of(service, {"unit.tax_district": "chaoyang", "unit.registered_district": "haidian"})
    assert materials.count("unit_tax_certificates") == 1


# --- the catalogue ---------------------------------------------------------------------------------------------------

POLICY_CODES = {
    "business_license", "unit_integrity_declaration", "unit_tax_certificates", "handler_id_card",
    "unit_social_insurance_record", "personal_integrity_declaration", *HOUSING_CODES, "hukou_book", "labour_contract",
    "taxable_income_12m", *CHILD_CODES, "social_insurance_12m", "termination_certificate", "new_degree_certificate",
    *ALL_CONDITION_CODES,
}  # fmt: skip


def test_the_catalogue_holds_exactly_the_codes_of_the_policy() -> None:
    assert set(MATERIALS) == POLICY_CODES


@pytest.mark.parametrize("code", sorted(POLICY_CODES))
def test_every_material_has_a_chinese_title_and_contents(code: str) -> None:
    material = MATERIALS[code]
    assert CJK.search(material.title_zh)
    assert CJK.search(material.contains_zh)
    assert material.title_en.strip()
    assert material.contains_en.strip()
