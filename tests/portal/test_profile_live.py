"""The applicant's profile (/me/profile/) never loses a saved value and keeps "no children" (issue 13 §2).

The page saves only what it asked and was posted: a fact it did not ask (the yearly income of a talent condition not
claimed now, a year no longer asked) or a field missing from the post keeps its stored value; a field posted empty is
cleared. The first child's select tells 「无」 (`children: []`) from no answer (`children` left out). The live update
(htmx) never saves; without JavaScript the form is a plain POST answered by a redirect, errors next to the fields.

Today is frozen at Thursday 2026-11-26 (income years 2023–2025); the applicant's profile is PROFILE of tests/cases.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from tests.cases.conftest import PROFILE
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import profile_save
from wrp.audit.models import AuditEvent

URL = reverse("portal:applicant_profile")
HTMX = {"HX-Request": "true"}
# The whole form as the page posts it for PROFILE (condition 1: degree and experience), nothing changed.
ANSWERS: dict[str, str] = {
    "applicant__nationality": "CN",
    "applicant__hukou": "non_beijing",
    "applicant__dispatched": "no",
    "applicant__employment_start": "2023-01-10",
    "applicant__contract_end": "2029-01-09",
    "applicant__housing__kind": "owned",
    "applicant__children__0__case": "none",
    "applicant__accompanying_spouse": "no",
    "applicant__talent_condition": "1",
    "applicant__degree": "master",
    "applicant__work_experience_years": "4",
    "applicant__professional_title": "none",
    "applicant__award__level": "none",
    "applicant__taxable_income_12m": "400,000",
    "applicant__income_paid_by_unit": "yes",
    "applicant__social_insurance_months_by_unit": "24",
    "applicant__social_insurance_unit_matches": "yes",
    "id_number": "",
}
BY_YEAR = {"2023": "500000", "2024": "520000", "2025": "540000"}


@pytest.fixture
def applicant(client, people):
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    client.force_login(people.applicant)
    return client


def stored(people: Any) -> dict[str, Any]:
    return ApplicantProfile.objects.get(user=people.applicant).facts


def store(people: Any, **facts: Any) -> None:
    ApplicantProfile.objects.filter(user=people.applicant).update(facts={**PROFILE, **facts})


def save(client: Any, answers: dict[str, str]) -> Any:
    return client.post(URL, {**answers, "save": "1"})


def selected(html: str, name: str) -> str | None:
    """The value of the option chosen in the select `name` (None: none chosen)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen.group(1) if chosen and chosen.group(1) else None


# --- a saved value never vanishes -------------------------------------------------------------------------------------


def test_the_yearly_income_of_a_condition_not_claimed_now_is_kept(applicant, people):
    """The walk's vanished income: saved under condition 4, then the form saved under condition 1 (which does not ask
    it) replaced the whole profile and dropped it."""
    store(people, talent_condition=4, taxable_income_by_year=dict(BY_YEAR))
    assert save(applicant, ANSWERS).status_code == 302  # condition 1 now
    facts = stored(people)
    assert facts["talent_condition"] == 1
    assert facts["taxable_income_by_year"] == BY_YEAR


def test_a_question_an_answer_brings_back_shows_the_stored_answer_not_an_empty_box(applicant, people):
    """Choosing condition 4 again (live, or saved without JavaScript and shown with an error) asks the yearly income
    with what is stored: an empty box saved would clear it."""
    store(people, taxable_income_by_year=dict(BY_YEAR))  # condition 1 claimed
    answers = {**ANSWERS, "applicant__talent_condition": "4"}
    html = applicant.post(URL, answers, headers=HTMX).content.decode()
    assert re.search(r'name="applicant__taxable_income_by_year__2024" value="520,000"', html)
    html = save(applicant, {**answers, "applicant__employment_start": "2023-02-30"}).content.decode()
    assert re.search(r'name="applicant__taxable_income_by_year__2024" value="520,000"', html)
    answers["applicant__contract_end"] = ""  # a box the page showed and the person emptied stays empty
    html = applicant.post(URL, answers, headers=HTMX).content.decode()
    assert 'name="applicant__contract_end"' in html
    assert 'value="2029-01-09"' not in html
    assert stored(people) == {**PROFILE, "taxable_income_by_year": BY_YEAR}


def test_a_year_no_longer_asked_keeps_its_income_and_the_asked_years_are_replaced(applicant, people):
    store(people, talent_condition=4, taxable_income_by_year={"2022": "480000", **BY_YEAR})
    answers = {**ANSWERS, "applicant__talent_condition": "4", "applicant__taxable_income_by_year__2023": "510,000",
               "applicant__taxable_income_by_year__2024": "", "applicant__taxable_income_by_year__2025": "550000"}
    assert save(applicant, answers).status_code == 302
    assert stored(people)["taxable_income_by_year"] == {"2022": "480000", "2023": "510000", "2025": "550000"}


def test_a_post_with_only_some_fields_never_clears_the_others(applicant, people):
    response = save(applicant, {"applicant__taxable_income_12m": "456789"})
    assert response.status_code == 302
    assert stored(people) == {**PROFILE, "taxable_income_12m": "456789"}


def test_a_field_posted_empty_is_cleared(applicant, people):
    assert save(applicant, {**ANSWERS, "applicant__taxable_income_12m": ""}).status_code == 302
    facts = stored(people)
    assert "taxable_income_12m" not in facts
    assert facts["social_insurance_months_by_unit"] == 24  # the rest as it was
    assert 'name="applicant__taxable_income_12m"' in applicant.get(URL).content.decode()


def test_saving_the_form_unchanged_keeps_every_fact(applicant, people):
    assert save(applicant, ANSWERS).status_code == 302
    facts = stored(people)
    assert facts == {**PROFILE, "taxable_income_12m": "400000", "work_experience_years": "4",  # amounts as text
                     "housing": {"kind": "owned"}}  # no lease end for a home one owns
    event = AuditEvent.objects.filter(action="profile.save").latest("id")
    assert set(event.changes["fields"]) == {"housing", "taxable_income_12m", "work_experience_years"}


def test_the_exact_amount_typed_is_saved(applicant, people):
    assert save(applicant, {**ANSWERS, "applicant__taxable_income_12m": "456789"}).status_code == 302
    assert stored(people)["taxable_income_12m"] == "456789"
    assert 'value="456,789"' in applicant.get(URL).content.decode()


def test_the_api_put_still_replaces_the_whole_profile(people):
    """`replacing` is the form's; without it a save is the whole profile (contracts/cases-api.md PUT /me/profile)."""
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    profile_save(user=people.applicant, facts={"hukou": "beijing_family"}, actor=people.applicant)
    assert stored(people) == {"hukou": "beijing_family"}


# --- no children ------------------------------------------------------------------------------------------------------


def test_no_children_is_kept_after_saving_and_reloading(applicant, people):
    store(people, children=[{"case": "in_policy"}])
    assert save(applicant, {**ANSWERS, "applicant__children__0__case": "none"}).status_code == 302
    assert stored(people)["children"] == []
    html = applicant.get(URL).content.decode()
    assert selected(html, "applicant__children__0__case") == "none"  # 「无」, not 「请选择」
    assert 'name="applicant__children__1__case"' not in html  # no second child asked
    assert save(applicant, {**ANSWERS, "applicant__children__0__case": "none"}).status_code == 302
    assert stored(people)["children"] == []  # and stays so when saved again


def test_children_not_answered_are_left_out_not_saved_as_none(applicant, people):
    facts = dict(PROFILE)
    del facts["children"]
    ApplicantProfile.objects.filter(user=people.applicant).update(facts=facts)
    html = applicant.get(URL).content.decode()
    assert selected(html, "applicant__children__0__case") is None  # not answered yet
    assert save(applicant, {**ANSWERS, "applicant__children__0__case": ""}).status_code == 302  # left at 「请选择」
    assert "children" not in stored(people)


def test_a_child_then_none_saves_that_one_child(applicant, people):
    answers = {**ANSWERS, "applicant__children__0__case": "in_policy", "applicant__children__1__case": "none"}
    assert save(applicant, answers).status_code == 302
    assert stored(people)["children"] == [{"case": "in_policy"}]
    html = applicant.get(URL).content.decode()
    assert selected(html, "applicant__children__0__case") == "in_policy"
    assert selected(html, "applicant__children__1__case") is None


def test_the_prefilled_self_check_says_no_children_too(applicant, people):
    html = applicant.get(reverse("portal:applicant_check") + "?service=children_change").content.decode()
    assert selected(html, "applicant__children__0__case") == "none"  # PROFILE: children []


# --- the live update and the page without JavaScript ------------------------------------------------------------------


def test_a_live_update_saves_nothing_and_keeps_the_status_and_button_through_the_swap(applicant, people):
    response = applicant.post(URL, {**ANSWERS, "applicant__taxable_income_12m": "1"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert 'value="1"' in html  # the answers as they were sent
    actions = re.search(r'<div class="profile-actions" id="profile-actions"[^>]*>', html)
    assert actions
    assert 'hx-preserve="true"' in actions.group(0)
    assert re.search(r'<p class="profile-status" id="profile-status" role="status" aria-live="polite"', html)
    assert stored(people) == PROFILE


def test_the_page_loads_its_script_from_the_platform_and_has_no_inline_script(applicant):
    html = applicant.get(URL).content.decode()
    assert re.search(r'<script src="/static/wrp/profile\.js[^"]*" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # CSP: no inline script
    assert " onchange=" not in html
    assert ' style="' not in html


def test_without_javascript_a_save_is_a_post_answered_by_a_redirect(applicant, people):
    response = save(applicant, {**ANSWERS, "applicant__work_experience_years": "7.5"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert stored(people)["work_experience_years"] == "7.5"
    assert "资料已保存" in applicant.get(URL).content.decode()


def test_without_javascript_an_error_is_shown_next_to_its_field_and_nothing_is_saved(applicant, people):
    answers = {**ANSWERS, "applicant__taxable_income_12m": "45万", "applicant__work_experience_years": "7.5"}
    response = save(applicant, answers)
    assert response.status_code == 200
    html = response.content.decode()
    block = html[html.index('id="field-applicant__taxable_income_12m"'):]
    block = block[: block.index('id="field-', 10)]
    assert "请填写金额（元）" in block
    assert 'href="#id_applicant__taxable_income_12m"' in html  # the error summary links to the field
    assert 'value="45万"' in html
    assert 'value="7.5"' in html
    assert stored(people) == PROFILE
