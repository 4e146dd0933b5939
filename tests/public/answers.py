"""Answers of the self-check form used across the view tests (a first application under talent condition 1)."""

from __future__ import annotations

INITIAL_ANSWERS: dict[str, str] = {
    "service": "initial",
    "unit__kind": "enterprise",
    "unit__account__status": "open",
    "unit__account__district": "chaoyang",
    "unit__quota_remaining": "2",
    "unit__quota_frozen": "no",
    "unit__penalty": "none",
    "applicant__nationality": "CN",
    "applicant__hukou": "non_beijing",
    "applicant__dispatched": "no",
    "applicant__employment_start": "2023-01-10",
    "applicant__contract_end": "2028-01-09",
    "applicant__housing__kind": "rented_residential",
    "applicant__housing__lease_end": "2027-12-31",
    "applicant__children__0__case": "in_policy",
    "applicant__accompanying_spouse": "no",
    "applicant__talent_condition": "1",
    "applicant__degree": "bachelor",
    "applicant__work_experience_years": "3",
    "applicant__taxable_income_12m": "230,000",
    "applicant__income_paid_by_unit": "yes",
    "applicant__social_insurance_months_by_unit": "12",
    "applicant__permit__status": "none",
}
