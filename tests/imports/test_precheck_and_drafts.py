"""The batch pre-check (issue 15 §2) against the single-person engine, its .xlsx, and the batch drafts (§3a)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_association, make_permit, make_user
from tests.imports.sheets import employees, xlsx
from wrp.accounts.models import ApplicantProfile, Role
from wrp.cases.models import Case
from wrp.imports.models import ImportBatch
from wrp.imports.services import import_confirm, import_execute, import_upload, import_validate
from wrp.units.selectors import unit_facts

pytestmark = pytest.mark.django_db

# What the sheet's rows say, as the self-check's JSON (contracts/assessment.md), typed by hand.
APPLICANT = {
    "nationality": "CN",
    "hukou": "non_beijing",
    "dispatched": False,
    "employment_start": "2024-01-10",
    "contract_end": None,
    "housing": {"kind": "owned"},
    "talent_condition": 1,
    "degree": "bachelor",
    "work_experience_years": 3,
    "professional_title": None,
    "taxable_income_12m": 400000,
    "income_paid_by_unit": True,
    "social_insurance_months_by_unit": 12,
    "social_insurance_unit_matches": True,
    "accompanying_spouse": False,
}


@pytest.fixture
def handler_client(client: Any, people: Any, private_media: Any) -> Any:
    client.force_login(people.handler)
    return client


def imported_batch(people: Any, rows: list[dict[str, Any]]) -> ImportBatch:
    batch = import_upload(actor=people.handler, unit=people.unit, data=xlsx(rows), original_name="a.xlsx")
    import_validate.call(batch.pk)
    import_confirm(batch=ImportBatch.objects.get(pk=batch.pk), actor=people.handler)
    import_execute.call(batch.pk)
    return ImportBatch.objects.get(pk=batch.pk)


def single_decision(client: Any, unit: Any, today: Any, **applicant: Any) -> tuple[str, list[str], int | None]:
    """The public self-check's answer for one person (POST /api/v1/assessments), quota taken as sufficient."""
    facts = unit_facts(unit, as_of=today)
    facts["quota_remaining"] = max(facts["quota_remaining"], 1)
    body = {
        "service": "initial",
        "as_of": today.isoformat(),
        "unit": facts,
        "applicant": {**APPLICANT, "permit": None, **applicant},
    }
    response = client.post("/api/v1/assessments", body, content_type="application/json")
    assert response.status_code == 200, response.content
    answer = response.json()
    failed = [check["rule"] for check in answer["checks"] if check["outcome"] == "fail"]
    return answer["decision"], failed, (answer["income"] or {}).get("reference_year")


def test_the_batch_precheck_agrees_with_the_single_person_engine(
    handler_client: Any, people: Any, client: Any, today: Any
) -> None:
    batch = imported_batch(people, employees(30))  # every 10th earns 60,000: 3 of 30
    high = single_decision(client, people.unit, today)
    low = single_decision(client, people.unit, today, taxable_income_12m=60000)
    assert low[0] == "ineligible"
    assert "A-INCOME" in low[1]
    page = handler_client.get(reverse("portal:imports_precheck", args=[batch.public_id])).content.decode()
    expected = {"eligible": 0, "needs_review": 0, "ineligible": 0}
    expected[high[0]] += 27
    expected[low[0]] += 3
    for key, count in expected.items():
        assert f'<dd id="summary-{key}">{count}</dd>' in page
    qualifying = expected["eligible"] + expected["needs_review"]
    assert f'<dd id="summary-qualifying">{qualifying}</dd>' in page
    remaining = unit_facts(people.unit, as_of=today)["quota_remaining"]
    assert f'<dd id="summary-to-declare"><strong>{max(0, qualifying - remaining)}</strong></dd>' in page
    assert f'<dd id="summary-wage-year">{high[2]}</dd>' in page
    assert page.count("A-INCOME") == 3
    assert page.count("110105********") == 30
    # the same as .xlsx
    response = handler_client.get(reverse("portal:imports_precheck", args=[batch.public_id]), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 31
    assert rows[0][0] == "行"
    assert sum(1 for row in rows[1:] if "A-INCOME" in (row[5] or "")) == 3
    assert all("*" in row[2] for row in rows[1:])  # masked
    summary = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert summary["需申报的指标数"] == max(0, qualifying - remaining)


def test_incomplete_facts_are_named_not_guessed(handler_client: Any, people: Any) -> None:
    rows = employees(2)
    rows[0]["applicant.taxable_income_12m"] = ""  # the income is asked by the income rule
    batch = imported_batch(people, rows)
    page = handler_client.get(reverse("portal:imports_precheck", args=[batch.public_id])).content.decode()
    assert '<dd id="summary-incomplete">1</dd>' in page
    assert "applicant.taxable_income_12m" in page


def employee_with(people: Any, name: str, **facts: Any) -> Any:
    user = make_user(Role.APPLICANT, name)
    ApplicantProfile.objects.update_or_create(user=user, defaults={"facts": {**APPLICANT, **facts}})
    return make_association(user, people.unit)


def test_batch_drafts_open_initial_for_the_eligible_and_renewal_in_the_window(
    handler_client: Any, people: Any, today: Any
) -> None:
    eligible = employee_with(people, "eligible")
    poor = employee_with(people, "poor", taxable_income_12m=60000)
    holder = employee_with(people, "holder")
    make_permit(holder.applicant, people.unit, issued_on=today - timedelta(days=3 * 365 - 30))
    page = handler_client.get(reverse("portal:imports_employees_precheck")).content.decode()
    assert f'name="employee" value="{eligible.pk}"' in page
    assert "延期" in page
    response = handler_client.post(
        reverse("portal:imports_drafts"),
        {"unit": people.unit.credit_code, "employee": [eligible.pk, poor.pk, holder.pk]},
    )
    assert response.status_code == 200
    text = response.content.decode()
    initial = Case.objects.get(applicant=eligible.applicant)
    renewal = Case.objects.get(applicant=holder.applicant)
    assert (initial.kind, initial.state, renewal.kind, renewal.state) == ("initial", "draft", "renewal", "draft")
    assert not Case.objects.filter(applicant=poor.applicant).exists()
    assert initial.public_id in text
    assert renewal.public_id in text
    assert "A-INCOME" in text
    assert '<p id="drafts-created">已开立 2 件草稿。</p>' in text
    # again: the open drafts are named, nothing doubled
    again = handler_client.post(
        reverse("portal:imports_drafts"), {"unit": people.unit.credit_code, "employee": [eligible.pk]}
    ).content.decode()
    assert "未办结的同类案件" in again
    assert Case.objects.filter(applicant=eligible.applicant).count() == 1


def test_another_units_employees_cannot_be_drafted(handler_client: Any, people: Any) -> None:
    stranger = make_association(make_user(Role.APPLICANT, "stranger"), people.other_unit)
    handler_client.post(
        reverse("portal:imports_drafts"), {"unit": people.other_unit.credit_code, "employee": [stranger.pk]}
    )
    assert not Case.objects.filter(applicant=stranger.applicant).exists()
