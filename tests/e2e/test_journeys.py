"""The end-to-end journeys of issue 5 §9, through the pages only, in Chromium.

Each journey starts from people and a starting state made with tests/factories.py; every step of the journey itself
is a click or a keystroke in the browser, each person signed in through /login/ in a browser context of their own.
Today is Thursday 2026-11-26, 10:00 in Beijing (the live server runs in a thread of this process, so time_machine
moves its clock too). Screenshots of the main pages go to test-output/journeys/<journey>/.

(a) a unit registers, opens its account (the clerk approves, giving reasons for the `review` outcomes), declares quota
    and the bureau grants it;
(b) an applicant associates, fills the profile, uploads on their case; the unit starts `initial`, submits with a
    slot; the clerk returns it for correction; the unit re-uploads and resubmits; the clerk forwards; the bureau
    approves; the applicant sees the permit;
(c) the unit releases the holder, the permit is suspended; a second unit files `employer_change`, the clerk approves;
(d) a renewal inside the 60-day window approved, one outside it refused on P-RENEWAL-WINDOW;
(e) a children change and an address change approved at the window;
(f) each role refused another role's pages and another party's objects, with nothing of theirs in the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect
from tests.cases.conftest import PROFILE
from tests.e2e.journey_helpers import (
    NOW,
    TODAY,
    Journey,
    answer,
    bureau_approve,
    cast,
    clerk_decide,
    clerk_open,
    clerk_return,
    clerk_start,
    clerk_verdicts,
    cn_date,
    employee_row,
    is_personal,
    open_unit_case,
    permit_status,
    start_case,
    submit_with_slot,
    unit_code_on_home,
    upload,
    upload_waiting,
    waiting_uploads,
)
from tests.factories import make_association, make_credit_code, make_ledger, make_permit, make_user

from wrp.accounts.models import ApplicantProfile, Role
from wrp.accounts.services import user_set_id_number
from wrp.cases.models import Case, CaseState
from wrp.demo import resident_id
from wrp.permits.models import Permit, PermitStatus
from wrp.policy.periods import add_years
from wrp.quotas.models import QuotaLedger
from wrp.units.models import AccountStatus, Association, AssociationState, Unit

pytestmark = [pytest.mark.browser]


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    """Argon2 costs a second a sign-in on two cores; the journeys sign in a dozen times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def journey(
    request: Any, browser: Any, live_server: Any, clock: None, private_media: Any, fast_passwords: None
) -> Iterator[Any]:
    """A journey named after the test's letter (test_a_… → a), its browser contexts closed at the end."""
    letter = request.node.name.split("_")[1]
    made = Journey(letter=letter, base_url=live_server.url, browser=browser)
    yield made
    made.close()


def with_id_number(user: Any, serial: int) -> None:
    user_set_id_number(user=user, id_number=resident_id(serial), actor=user)


# --- (a) ------------------------------------------------------------------------------------------------------------


def test_a_unit_registers_opens_its_account_and_gets_quota(journey: Journey, transactional_db: Any) -> None:
    people = cast()
    newcomer = make_user(Role.UNIT_HANDLER, "newcomer", password="Demo-2026-wrp", real_name="周经办")
    credit_code = make_credit_code()
    unit_name = "北京丙新能源科技有限公司"

    # The handler registers the unit on /unit/ (tax paid in Chaoyang only since March: U-TAX-YEAR needs review).
    handler = journey.sign_in(newcomer.username)
    page = handler.page
    expect(page).to_have_url(re.compile(r"/unit/$"))
    expect(handler.main()).to_contain_text("您还没有经办的单位")
    with page.expect_navigation():
        handler.main().get_by_role("link", name="登记新单位").click()
    page.fill("#id_credit_code", credit_code)
    page.fill("#id_name", unit_name)
    page.fill("#id_registered_capital", "5,000,000")
    page.fill("#id_tax_paid_since", "2026-03-01")
    for year in (2023, 2024, 2025):
        page.fill(f"#id_annual_tax_{year}", "300,000")
    handler.shot("unit-register-form")
    handler.press("登记单位")
    handler.expect_message("已登记单位")
    card = page.locator("section.unit-card", has_text=unit_name)
    expect(card).to_contain_text(credit_code)
    expect(card).to_contain_text("未开户")
    handler.shot("unit-registered")

    # It opens its account: the guided page, the case, the five unit materials, submit.
    with page.expect_navigation():
        card.get_by_role("link", name="办理开户").click()
    expect(page.locator("h1")).to_contain_text("开户")
    expect(handler.main()).to_contain_text("U-TAX-YEAR")
    handler.shot("account-opening-guide")
    handler.press("开立案件")
    handler.expect_message("已开立案件")
    case_id = handler.heading_id()
    codes = waiting_uploads(page)
    assert set(codes) == {
        "business_license",
        "unit_integrity_declaration",
        "unit_tax_certificates",
        "handler_id_card",
        "unit_social_insurance_record",
    }, codes
    assert upload_waiting(handler) == codes
    assert waiting_uploads(page) == []
    handler.shot("account-case-uploaded")
    handler.press("确认提交", within=page.locator("section.unit-actions"))
    handler.expect_message("已提交")
    expect(page.locator(".case-summary")).to_contain_text("已提交")
    handler.shot("account-case-submitted")

    # The clerk takes it from the queue, reviews each material, approves with a reason for each review outcome.
    clerk = journey.sign_in("clerk")
    expect(clerk.page).to_have_url(re.compile(r"/clerk/$"))
    expect(clerk.main()).to_contain_text(case_id)
    clerk.shot("clerk-queue")
    clerk_open(clerk, case_id)
    clerk_start(clerk)
    assert sorted(clerk_verdicts(clerk)) == sorted(codes)
    expect(clerk.page.locator("#clerk-decide")).to_contain_text("全部材料已审核通过")
    clerk.shot("clerk-materials-accepted")
    rules = clerk_decide(clerk, reason="纳税不满1年，但近三年纳税额达标，经核实予以开户。")
    assert "U-TAX-YEAR" in rules
    clerk.expect_message("已批准")
    expect(clerk.page.locator(".case-summary")).to_contain_text("已批准")
    clerk.shot("clerk-approved")

    # The unit's account is open; it declares quota for the year.
    handler.go("/unit/")
    card = page.locator("section.unit-card", has_text=unit_name)
    expect(card).to_contain_text("已开户")
    handler.shot("unit-account-open")
    handler.go("/unit/quota/")
    page.select_option("#id_year", str(TODAY.year))
    page.fill("#id_requested", "5")
    page.fill("#id_reason", "引进研发岗位人才5名")
    handler.press("提交申报")
    handler.expect_message("已提交 2026 年度指标申报")
    expect(handler.main()).to_contain_text("待审批")
    handler.shot("quota-declared")

    # The bureau grants it.
    approver = journey.sign_in("approver")
    approver.go("/bureau/quotas/")
    row = approver.page.locator("tr", has_text=unit_name)
    expect(row).to_contain_text("引进研发岗位人才5名")
    approver.shot("bureau-quota-requests")
    with approver.page.expect_navigation():
        row.get_by_role("link", name=re.compile("审核下发")).click()
    expect(approver.page.locator("#id_granted")).to_have_value("5")
    approver.page.locator("input[name=confirm]").check()
    approver.shot("bureau-quota-grant")
    approver.press("下发指标")
    approver.expect_message("下发 2026 年度指标 5 个")
    approver.shot("bureau-quota-granted")

    handler.go("/unit/quota/")
    expect(handler.main()).to_contain_text("已下发 5 个")
    handler.shot("unit-quota-granted")

    unit = Unit.objects.get(credit_code=credit_code)
    assert unit.account_status == AccountStatus.OPEN
    assert unit.account_district == "chaoyang"
    assert QuotaLedger.objects.get(unit=unit, year=TODAY.year).granted == 5
    assert Case.objects.get(public_id=case_id).state == CaseState.APPROVED
    assert people.unit.pk != unit.pk


# --- (b) ------------------------------------------------------------------------------------------------------------

PROFILE_ANSWERS: list[tuple[str, str]] = [
    ("applicant__nationality", "CN"),
    ("applicant__hukou", "non_beijing"),
    ("applicant__dispatched", "no"),
    ("applicant__employment_start", "2023-01-10"),
    ("applicant__contract_end", "2029-01-09"),
    ("applicant__housing__kind", "owned"),
    ("applicant__accompanying_spouse", "no"),
    ("applicant__talent_condition", "1"),
    ("applicant__degree", "master"),
    ("applicant__work_experience_years", "4"),
    ("applicant__professional_title", "none"),
    ("applicant__award__level", "none"),
    ("applicant__taxable_income_12m", "400,000"),
    ("applicant__income_paid_by_unit", "yes"),
    ("applicant__social_insurance_months_by_unit", "24"),
    ("applicant__social_insurance_unit_matches", "yes"),
]


def test_b_first_application_with_a_correction_to_the_permit(journey: Journey, transactional_db: Any) -> None:
    people = cast()
    make_ledger(people.unit, TODAY.year, granted=3)
    unit_name = people.unit.name

    # The applicant asks to be associated, with the code the unit's handler reads on /unit/.
    handler = journey.sign_in("handler")
    code = unit_code_on_home(handler, unit_name)
    assert len(code) == 8
    handler.shot("unit-home-code")
    applicant = journey.sign_in("applicant")
    expect(applicant.page).to_have_url(re.compile(r"/me/$"))
    applicant.shot("applicant-home")
    applicant.go("/me/association/")
    applicant.page.fill("#id_association_code", code.lower())
    applicant.press("提出关联申请")
    applicant.expect_message(f"关联申请已发送给{unit_name}")
    expect(applicant.main()).to_contain_text("待单位确认")
    applicant.shot("association-requested")

    handler.go("/unit/employees/")
    request_row = handler.page.locator("section[aria-labelledby='requested-heading'] tr", has_text="张伟")
    handler.submit(request_row.get_by_role("button", name="接受"))
    handler.expect_message("已接受 张伟 的关联申请")
    expect(employee_row(handler, "张伟")).to_be_visible()
    handler.shot("association-accepted")

    # The applicant fills in the profile (each answer updates the form live) and registers the ID number.
    page = applicant.page
    applicant.go("/me/profile/")
    for name, value in PROFILE_ANSWERS:
        answer(page, name, value)
    answer(page, "id_number", resident_id(41))
    applicant.shot("profile-filled")
    applicant.press("保存资料")
    applicant.expect_message("资料已保存")
    expect(page.locator(".applicant-progress")).to_have_count(0)  # nothing left unanswered
    expect(page.locator("#id_applicant__degree")).to_have_value("master")
    expect(applicant.main()).to_contain_text("110105")  # the ID number, masked
    applicant.shot("profile-saved")
    facts = ApplicantProfile.objects.get(user=people.applicant).facts
    assert facts["talent_condition"] == 1, facts
    assert facts["housing"]["kind"] == "owned", facts

    # The unit starts the first application for its employee.
    case_id = start_case(handler, "张伟", "initial")
    expect(handler.page.locator(".case-summary")).to_contain_text("草稿")
    handler.shot("initial-started")

    # The applicant uploads their personal materials on their case.
    applicant.go("/me/cases/")
    with page.expect_navigation():
        page.get_by_role("link", name=case_id).click()
    personal = upload_waiting(applicant, only=is_personal)
    assert {"personal_integrity_declaration", "hukou_book"} <= set(personal), personal
    applicant.shot("applicant-uploaded")

    # The unit uploads the rest, books a slot and submits.
    open_unit_case(handler, case_id)
    rest = upload_waiting(handler)
    assert rest
    assert not set(rest) & set(personal)
    handler.shot("unit-uploaded")
    submit_with_slot(handler)
    expect(handler.page.locator(".case-summary")).to_contain_text("已提交")
    expect(handler.main()).to_contain_text("预约办理")
    handler.shot("initial-submitted")

    # The window returns it for correction: one material to be uploaded again.
    clerk = journey.sign_in("clerk")
    clerk_open(clerk, case_id)
    clerk_start(clerk)
    judged = clerk_verdicts(clerk, rejected={"labour_contract": "劳动合同缺少乙方签字页，请补充签字页后重新上传。"})
    assert set(judged) == set(personal) | set(rest)
    clerk.shot("clerk-one-rejected")
    clerk_return(clerk)
    expect(clerk.page.locator(".case-summary")).to_contain_text("退回补正")
    clerk.shot("clerk-returned")

    # The unit re-uploads the named material and resubmits.
    open_unit_case(handler, case_id)
    expect(handler.page.locator("section.notice")).to_contain_text("劳动合同缺少乙方签字页")
    assert waiting_uploads(handler.page) == ["labour_contract"]
    handler.shot("unit-sees-notice")
    upload(handler, "labour_contract", "补正后的劳动合同（含乙方签字页）")
    handler.press("确认重新提交")
    handler.expect_message("已重新提交")
    expect(handler.page.locator(".case-summary")).to_contain_text("审核中")
    handler.shot("unit-resubmitted")

    # The window checks the new file and forwards; the bureau approves.
    clerk_open(clerk, case_id)
    expect(clerk.main()).to_contain_text("本案已补正后重新提交")
    assert clerk_verdicts(clerk) == ["labour_contract"]
    clerk_decide(clerk)
    clerk.expect_message("已上报区人社局审批")
    expect(clerk.page.locator(".case-summary")).to_contain_text("待区局审批")
    clerk.shot("clerk-forwarded")

    approver = journey.sign_in("approver")
    approver.go("/bureau/")
    expect(approver.main()).to_contain_text(case_id)
    approver.shot("bureau-queue")
    bureau_approve(approver, case_id)
    approver.shot("bureau-approved")

    # The applicant sees the permit.
    status = permit_status(applicant)
    assert "有效" in status, status
    permit = Permit.objects.get(holder=people.applicant)
    expect(applicant.main()).to_contain_text(permit.number)
    expect(applicant.main()).to_contain_text(unit_name)
    expect(applicant.main()).to_contain_text(cn_date(add_years(TODAY, 3)))
    applicant.shot("applicant-permit")
    certificate = applicant.main().get_by_role("link", name="下载证件（PDF）")
    response = applicant.context.request.get(applicant.url + (certificate.get_attribute("href") or ""))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert Case.objects.get(public_id=case_id).state == CaseState.APPROVED
    assert QuotaLedger.objects.get(unit=people.unit, year=TODAY.year).used == 1


# --- (c) ------------------------------------------------------------------------------------------------------------


def holder_with_permit(people: Any, **permit: Any) -> Permit:
    """The applicant with a complete profile, an ID number, an active association with `people.unit` and a permit."""
    with_id_number(people.applicant, 42)
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    return make_permit(people.applicant, people.unit, **permit)


def test_c_release_suspends_the_permit_and_a_new_employer_takes_it_over(
    journey: Journey, transactional_db: Any
) -> None:
    people = cast()
    permit = holder_with_permit(people, issued_on=date(2025, 3, 2))
    make_ledger(people.other_unit, TODAY.year, granted=2)
    first, second = people.unit.name, people.other_unit.name

    # The first unit releases its employee: the leaving date, then the confirmation with the consequence.
    handler = journey.sign_in("handler")
    handler.go("/unit/employees/")
    expect(employee_row(handler, "张伟")).to_contain_text(permit.number)
    handler.shot("employees")
    with handler.page.expect_navigation():
        employee_row(handler, "张伟").get_by_role("link", name="解除关联").click()
    handler.page.fill("#id_left_on", "2026-11-20")
    handler.press("下一步")
    expect(handler.main()).to_contain_text("工作居住证将被挂起")
    handler.shot("release-confirm")
    handler.press("确认解除关联")
    handler.expect_message("其工作居住证已挂起")
    expect(handler.page.locator("section[aria-labelledby='released-heading']")).to_contain_text("按时解除")
    handler.shot("released")

    # The holder sees the permit suspended.
    applicant = journey.sign_in("applicant")
    assert "挂起" in permit_status(applicant)
    expect(applicant.main()).to_contain_text("原单位已解除关联")
    applicant.shot("permit-suspended")

    # The holder asks the second unit to associate; its handler accepts and files the employer change.
    other = journey.sign_in("other_handler")
    code = unit_code_on_home(other, second)
    applicant.go("/me/association/")
    applicant.page.fill("#id_association_code", code)
    applicant.press("提出关联申请")
    applicant.expect_message(f"关联申请已发送给{second}")
    applicant.shot("association-second-unit")
    other.go("/unit/employees/")
    other.submit(
        other.page.locator("section[aria-labelledby='requested-heading'] tr", has_text="张伟").get_by_role(
            "button", name="接受"
        )
    )
    other.expect_message("已接受 张伟 的关联申请")
    case_id = start_case(other, "张伟", "employer_change")
    upload_waiting(other)
    other.shot("employer-change-uploaded")
    submit_with_slot(other)
    other.shot("employer-change-submitted")

    # The window approves it.
    clerk = journey.sign_in("clerk")
    clerk_open(clerk, case_id)
    clerk_start(clerk)
    clerk_verdicts(clerk)
    clerk_decide(clerk)
    clerk.expect_message("已批准")
    expect(clerk.page.locator(".case-summary")).to_contain_text("已批准")
    clerk.shot("clerk-approved")

    # The permit is valid again, with the second unit.
    status = permit_status(applicant)
    assert "有效" in status, status
    expect(applicant.main()).to_contain_text(second)
    expect(applicant.main()).not_to_contain_text(first)
    expect(applicant.main()).to_contain_text(permit.number)
    applicant.shot("permit-second-unit")
    permit.refresh_from_db()
    assert permit.status == PermitStatus.VALID
    assert permit.unit_id == people.other_unit.pk
    assert Association.objects.get(applicant=people.applicant, unit=people.unit).state == AssociationState.RELEASED


# --- (d) ------------------------------------------------------------------------------------------------------------


def test_d_renewal_inside_the_window_is_approved_and_outside_it_refused(
    journey: Journey, transactional_db: Any
) -> None:
    people = cast()
    ends_soon = date(2026, 12, 26)  # 30 days after today: inside the 60-day window
    permit = holder_with_permit(people, issued_on=add_years(ends_soon, -3), valid_until=ends_soon)
    with_id_number(people.other_applicant, 43)
    ApplicantProfile.objects.create(user=people.other_applicant, facts=dict(PROFILE))
    make_association(people.other_applicant, people.unit)
    ends_later = date(2027, 6, 14)  # 200 days after today: the window opens on 2027-04-15
    make_permit(people.other_applicant, people.unit, issued_on=add_years(ends_later, -3), valid_until=ends_later)

    applicant = journey.sign_in("applicant")
    applicant.go("/me/permit/")
    expect(applicant.main()).to_contain_text("证件将于 60 日内到期")
    applicant.shot("permit-ending")

    # Inside the window: the unit files the renewal, the window forwards it, the bureau approves.
    handler = journey.sign_in("handler")
    case_id = start_case(handler, "张伟", "renewal")
    rules = handler.page.locator("section[aria-labelledby='rules-heading']")
    expect(rules.locator("li.rule", has_text="P-RENEWAL-WINDOW")).to_contain_text("符合")
    upload_waiting(handler)
    submit_with_slot(handler)
    handler.shot("renewal-submitted")

    clerk = journey.sign_in("clerk")
    clerk_open(clerk, case_id)
    clerk_start(clerk)
    clerk_verdicts(clerk)
    clerk_decide(clerk)
    clerk.expect_message("已上报区人社局审批")
    clerk.shot("renewal-forwarded")

    approver = journey.sign_in("approver")
    bureau_approve(approver, case_id)
    approver.shot("renewal-approved")

    renewed = add_years(ends_soon, 3)
    applicant.go("/me/permit/")
    expect(applicant.page.locator(".applicant-permit-status")).to_contain_text(f"有效期至 {cn_date(renewed)}")
    applicant.shot("permit-renewed")
    permit.refresh_from_db()
    assert permit.valid_until == renewed

    # Outside the window: the case page shows the failing rule, and submitting is refused naming it.
    refused_id = start_case(handler, "李娜", "renewal")
    rule = handler.page.locator("section[aria-labelledby='rules-heading'] li.rule", has_text="P-RENEWAL-WINDOW")
    expect(rule).to_contain_text("不符合")
    expect(rule).to_contain_text("尚未到续签期")
    handler.shot("early-renewal-rules")
    upload_waiting(handler)
    area = handler.page.locator("#unit-submit")
    free = area.locator("details[open] input[name=slot]:not([disabled])").first
    free.check()
    handler.press("确认提交", within=area)
    summary = handler.page.locator(".error-summary")
    expect(summary).to_contain_text("未能提交")
    expect(summary.locator("li.rule", has_text="P-RENEWAL-WINDOW")).to_contain_text("不符合")
    handler.shot("early-renewal-refused")
    assert Case.objects.get(public_id=refused_id).state == CaseState.DRAFT


# --- (e) ------------------------------------------------------------------------------------------------------------


def test_e_children_and_address_changes_approved_at_the_window(journey: Journey, transactional_db: Any) -> None:
    people = cast()
    permit = holder_with_permit(people, issued_on=date(2025, 6, 1))
    handler = journey.sign_in("handler")
    clerk = journey.sign_in("clerk")
    applicant = journey.sign_in("applicant")

    # A child joins the permit.
    children_id = start_case(
        handler, "张伟", "children_change", {"child_0_name": "张小明", "child_0_case": "in_policy"}
    )
    expect(handler.main()).to_contain_text("随往子女")
    upload_waiting(handler)
    handler.shot("children-change-uploaded")
    submit_with_slot(handler)
    clerk_open(clerk, children_id)
    clerk_start(clerk)
    clerk_verdicts(clerk)
    clerk_decide(clerk)
    clerk.expect_message("已批准")
    clerk.shot("children-change-approved")
    applicant.go("/me/permit/")
    expect(applicant.main()).to_contain_text("张小明")
    applicant.shot("permit-with-child")
    assert list(permit.children.values_list("name", flat=True)) == ["张小明"]

    # The holder moves to a rented flat.
    address_id = start_case(
        handler, "张伟", "info_change:address",
        {"housing_kind": "rented_residential", "lease_end": "2028-06-30", "housing_address": "朝阳区将台路5号院15号楼1201室"},
    )
    upload_waiting(handler)
    handler.shot("address-change-uploaded")
    submit_with_slot(handler)
    clerk_open(clerk, address_id)
    clerk_start(clerk)
    clerk_verdicts(clerk)
    clerk_decide(clerk)
    clerk.expect_message("已批准")
    clerk.shot("address-change-approved")
    applicant.go("/me/profile/")
    expect(applicant.page.locator("#id_applicant__housing__kind")).to_have_value("rented_residential")
    expect(applicant.page.locator("#id_applicant__housing__lease_end")).to_have_value("2028-06-30")
    applicant.shot("profile-new-address")
    applicant.go("/me/cases/")
    for public_id in (children_id, address_id):
        expect(applicant.page.locator("tr", has_text=public_id)).to_contain_text("已批准")
    applicant.shot("cases-approved")


# --- (f) ------------------------------------------------------------------------------------------------------------


def refused(session: Any, path: str, status: int, hidden: list[str]) -> str:
    """Open a page that must be refused: the status, and none of the other party's words in the answer."""
    response = session.go(path)
    assert response is not None
    assert response.status == status, (session.username, path, response.status)
    body = response.text()
    for word in hidden:
        assert word not in body, (session.username, path, word)
    return body


def refused_post(session: Any, path: str, status: int, hidden: list[str], data: dict[str, str] | None = None) -> None:
    response = session.post(path, data)
    assert response.status == status, (session.username, path, response.status)
    body = response.text()
    for word in hidden:
        assert word not in body, (session.username, path, word)


def test_f_each_role_is_refused_other_roles_pages_and_other_parties_objects(
    journey: Journey, transactional_db: Any
) -> None:
    from wrp.cases.services import case_open

    people = cast()
    for person, serial in ((people.applicant, 44), (people.other_applicant, 45)):
        with_id_number(person, serial)
        ApplicantProfile.objects.create(user=person, facts=dict(PROFILE))
    mine = make_association(people.applicant, people.unit)
    theirs = make_association(people.other_applicant, people.other_unit)
    my_case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    their_case = case_open(
        actor=people.other_handler, kind="initial", unit=people.other_unit, applicant=people.other_applicant
    )
    their_permit = make_permit(people.other_applicant, people.other_unit, issued_on=date(2025, 1, 10))
    other_unit, other_code = people.other_unit, people.other_unit.credit_code
    # What belongs to the other side (applicant 李娜 and unit 乙 with their case), and to this side.
    theirs_words = ["李娜", their_case.public_id, other_code, other_unit.name, their_permit.number]
    mine_words = ["张伟", my_case.public_id, people.unit.credit_code, people.unit.name]

    # The applicant: no other role's pages, no other applicant's case.
    applicant = journey.sign_in("applicant")
    for path in (
        "/unit/",
        "/unit/employees/",
        "/clerk/",
        f"/clerk/cases/{my_case.public_id}/",
        "/bureau/",
        "/bureau/quotas/",
    ):
        refused(applicant, path, 403, theirs_words)
    refused(applicant, f"/cases/{their_case.public_id}/", 404, theirs_words)
    applicant.shot("applicant-other-case-404")
    refused_post(applicant, f"/me/cases/{their_case.public_id}/submit/", 404, theirs_words, {"confirm": "yes"})
    refused_post(applicant, f"/me/cases/{their_case.public_id}/withdraw/", 404, theirs_words, {"confirm": "yes"})
    applicant.go("/me/cases/")
    expect(applicant.main()).to_contain_text(my_case.public_id)
    expect(applicant.main()).not_to_contain_text(their_case.public_id)

    # The handler of unit 甲: no other role's pages, nothing of unit 乙 or its employee.
    handler = journey.sign_in("handler")
    for path in ("/me/", "/me/permit/", "/clerk/", "/bureau/", "/bureau/quotas/"):
        refused(handler, path, 403, theirs_words)
    handler.shot("handler-bureau-403")
    for path in (
        f"/cases/{their_case.public_id}/",
        f"/unit/cases/{their_case.public_id}/submit/",
        f"/unit/cases/{their_case.public_id}/answers/",
        f"/unit/units/{other_code}/account/unit_opening/",
        f"/unit/employees/{theirs.pk}/release/",
        f"/unit/employees/{theirs.pk}/cases/new/",
        f"/unit/documents/{other_code}/business_license/file/",
    ):
        refused(handler, path, 404, theirs_words)
    handler.shot("handler-other-unit-404")
    for path in (
        f"/unit/employees/{theirs.pk}/accept/",
        f"/unit/cases/{their_case.public_id}/withdraw/",
        f"/unit/units/{other_code}/association-code/",
    ):
        refused_post(handler, path, 404, theirs_words)
    for path in ("/unit/", "/unit/employees/", "/unit/cases/", "/unit/quota/"):
        handler.go(path)
        for word in theirs_words:
            expect(handler.main()).not_to_contain_text(word)

    # The handler of unit 乙, the other way round.
    other = journey.sign_in("other_handler")
    refused(other, f"/cases/{my_case.public_id}/", 404, mine_words)
    refused(other, f"/unit/employees/{mine.pk}/release/", 404, mine_words)
    refused(other, f"/unit/units/{people.unit.credit_code}/account/unit_opening/", 404, mine_words)

    # The window clerk: no unit, applicant or bureau pages, and no bureau decision.
    clerk = journey.sign_in("clerk")
    for path in ("/me/", "/unit/", "/unit/quota/", "/bureau/", "/bureau/quotas/"):
        refused(clerk, path, 403, theirs_words + mine_words)
    refused_post(clerk, f"/bureau/cases/{my_case.public_id}/approve/", 403, mine_words, {"confirm": "on"})
    clerk.shot("clerk-unit-403")

    # The bureau approver: no window workbench, no unit or applicant pages.
    approver = journey.sign_in("approver")
    for path in ("/clerk/", f"/clerk/cases/{my_case.public_id}/", "/unit/", "/me/permit/"):
        refused(approver, path, 403, theirs_words + mine_words)
    refused_post(approver, f"/clerk/cases/{my_case.public_id}/start", 403, mine_words)
    approver.shot("approver-clerk-403")

    # Nothing changed.
    for case in (my_case, their_case):
        case.refresh_from_db()
        assert case.state == CaseState.DRAFT
    theirs.refresh_from_db()
    assert theirs.state == AssociationState.ACTIVE
