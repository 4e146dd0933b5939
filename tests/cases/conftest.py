"""Case tests: the shared personas with complete applicant profiles, an association and quota; slots and materials."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from tests.clock import SHANGHAI, TODAY  # noqa: F401  (SHANGHAI: read from here by other modules)
from tests.factories import make_association, make_ledger
from wrp.accounts.models import ApplicantProfile
from wrp.appointments.services import slots_between
from wrp.cases.materials import case_checklist
from wrp.cases.models import Case, CaseMaterial, MaterialStatus
from wrp.documents.models import StoredFile

PROFILE: dict[str, Any] = {
    "nationality": "CN",
    "hukou": "non_beijing",
    "dispatched": False,
    "employment_start": "2023-01-10",
    "contract_end": "2029-01-09",
    "housing": {"kind": "owned", "lease_end": None},
    "talent_condition": 1,
    "degree": "master",
    "work_experience_years": 4,
    "professional_title": None,
    "award": None,
    "ip": None,
    "startup": None,
    "annual_tax_paid": None,
    "recommended_and_approved": False,
    "overseas_qualification": False,
    "taxable_income_12m": 400000,
    "taxable_income_by_year": None,
    "income_paid_by_unit": True,
    "social_insurance_months_by_unit": 24,
    "social_insurance_unit_matches": True,
    "children": [],
    "accompanying_spouse": False,
}


@pytest.fixture
def people(people):
    """The shared personas (tests/conftest.py): both applicants with a complete profile, the applicant associated
    with `unit`, which has 3 quota units this year."""
    personas = people
    ApplicantProfile.objects.create(user=personas.applicant, facts=dict(PROFILE))
    ApplicantProfile.objects.create(user=personas.other_applicant, facts=dict(PROFILE))
    make_association(personas.applicant, personas.unit)
    make_ledger(personas.unit, TODAY.year, granted=3)
    return personas


def free_slot() -> str:
    """The public id of a bookable slot next week."""
    slots = slots_between(start=date(2026, 11, 30), end=date(2026, 12, 4), now=timezone.now())
    return next(slot.public_id for slot in slots if slot.booked < slot.capacity)


def attach(case: Case, code: str, *, by: Any) -> CaseMaterial:
    """Record an uploaded PDF for one material, without running the upload pipeline (tested in tests/documents)."""
    stored = StoredFile.objects.create(
        storage_name=f"files/xx/{secrets.token_hex(16)}.pdf", sha256=secrets.token_hex(32), size=1000, pages=1,
        uploaded_by=by, uploaded_at=timezone.now(),
    )
    material, _created = CaseMaterial.objects.get_or_create(case=case, code=code)
    material.file, material.status, material.reason = stored, MaterialStatus.UPLOADED, ""
    material.save()
    return material


def attach_all(case: Case, *, by: Any) -> list[str]:
    codes = case_checklist(case)
    for code in codes:
        attach(case, code, by=by)
    return codes


def ready_cases(handler: Any, unit: Any, count: int) -> list[Case]:
    """`count` initial cases of distinct associated applicants, every material on file, ready for the unit's
    submission (submitting reads no file, so one stored file serves them all). For the race tests."""
    from tests.factories import make_user
    from wrp.accounts.models import Role
    from wrp.cases.services import case_open

    stored = StoredFile.objects.create(
        storage_name=f"files/xx/{secrets.token_hex(16)}.pdf", sha256=secrets.token_hex(32), size=1, pages=1,
        uploaded_by=handler, uploaded_at=timezone.now(),
    )
    cases = []
    for _ in range(count):
        applicant = make_user(Role.APPLICANT)
        ApplicantProfile.objects.create(user=applicant, facts=dict(PROFILE))
        make_association(applicant, unit)
        case = case_open(actor=handler, kind="initial", unit=unit, applicant=applicant)
        CaseMaterial.objects.bulk_create(
            CaseMaterial(case=case, code=code, file=stored, status=MaterialStatus.UPLOADED)
            for code in case_checklist(case)
        )
        cases.append(case)
    return cases
