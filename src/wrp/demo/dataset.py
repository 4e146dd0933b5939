"""The demo data set (`wrp demo`): people for every role, units of several kinds, and cases of every kind in every
state they can reach — made through the same services the pages call, so the audit trail and every rule hold.

Every demo account's password is `DEMO_PASSWORD`; README §Demo accounts lists them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from wrp.accounts.devices import demo_device_install
from wrp.accounts.models import ApplicantProfile, Role, User
from wrp.accounts.services import user_create
from wrp.appointments.services import slots_between
from wrp.cases.acceptance import case_extend, case_refuse_acceptance
from wrp.cases.kinds import BUREAU_KINDS, UNIT_KINDS, kind_of
from wrp.cases.materials import case_checklist, material_upload, material_verdict
from wrp.cases.models import Case, CaseState
from wrp.cases.services import (
    case_approve,
    case_forward,
    case_open,
    case_reject,
    case_return_for_correction,
    case_start_review,
    case_submit,
    case_withdraw,
)
from wrp.demo.people import DEMO_PASSWORD, DEMO_TOTP_SECRETS, GIVEN, PROFILE, SURNAMES, resident_id
from wrp.documents.pdfcheck import Sanitised, inspect_and_sanitise
from wrp.employment.services import association_accept, association_release, association_request
from wrp.notifications.services import contact_preference_set
from wrp.permits.models import Permit
from wrp.permits.services import permit_issue
from wrp.policy.periods import add_years
from wrp.quotas.services import quota_grant, quota_request_create
from wrp.units.models import Unit
from wrp.units.services import unit_register


def _demo_pdf() -> Sanitised:
    """A one-page coloured specimen (not blank, not grey), made safe once and attached to every demo material."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setFillColorRGB(0.75, 0.1, 0.1)
    page.circle(width - 120, height - 160, 60, fill=1)  # a red seal, as on a stamped original
    page.setFillColorRGB(0.1, 0.25, 0.6)
    page.rect(60, height - 110, width - 120, 40, fill=1)
    page.setFillColorRGB(1, 1, 1)
    page.setFont("STSong-Light", 20)
    page.drawString(80, height - 97, "示例材料（演示数据） Demo material")
    page.setFillColorRGB(0, 0, 0)
    page.setFont("STSong-Light", 14)
    for line in range(30):
        page.drawString(80, height - 260 - line * 18, f"第{line + 1}行：本文件仅用于演示平台功能，不是真实证明材料。")
    page.save()
    return inspect_and_sanitise(buffer.getvalue())


@dataclass
class Demo:
    today: date
    staff: dict[str, User] = field(default_factory=dict)
    pdf: Sanitised | None = None
    serial: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def person(self, username: str, role: str, real_name: str = "") -> User:
        self.serial += 1
        user = user_create(
            username=username, role=role, password=DEMO_PASSWORD,
            real_name=real_name or SURNAMES[self.serial % len(SURNAMES)] + GIVEN[self.serial % len(GIVEN)],
            id_number=resident_id(self.serial) if role == Role.APPLICANT else None,
        )
        # Verified demo contacts, so the demo's notices reach the console mailbox and the SMS log.
        contact_preference_set(user=user, email=f"{username}@demo.example.com", mobile=f"139{self.serial:08d}",
                               verified=True, sms_on=True)
        return user

    def applicant(self, username: str, unit: Unit | None, **facts: Any) -> User:
        user = self.person(username, Role.APPLICANT)
        ApplicantProfile.objects.create(user=user, facts={**PROFILE, **facts})
        if unit is not None:
            self.associate(user, unit)
        return user

    def associate(self, user: User, unit: Unit) -> None:
        association = association_request(actor=user, association_code=unit.association_code)
        association_accept(association=association, actor=unit.handlers.first())

    def unit(self, handler: User, name: str, code: str, **facts: Any) -> Unit:
        values: dict[str, Any] = {
            "kind": "enterprise", "legal_person": True, "registered_district": "chaoyang",
            "tax_district": "chaoyang", "tax_paid_since": date(2018, 4, 1), "registered_capital": "10000000",
            "annual_tax": {str(self.today.year - n): "450000" for n in (1, 2, 3)}, "qualifications": [],
        }
        values.update(facts)
        return unit_register(actor=handler, credit_code=code, name=name, **values)

    def upload_all(self, case: Case, actor: User) -> None:
        assert self.pdf is not None
        for code in case_checklist(case):
            material_upload(case=case, code=code, actor=actor, data=b"", original_name=f"{code}.pdf",
                            sanitised=self.pdf)

    def slot(self) -> str:
        start = self.today + timedelta(days=1)
        slots = slots_between(start=start, end=start + timedelta(days=30), now=timezone.now())
        return next(slot.public_id for slot in slots if slot.booked < slot.capacity)


RELATIVE_HOME = {  # 附件3's particulars of a demo applicant living in their parents' home
    "owner_name": "周建国", "owner_id_number": "110105196203150018", "relationship": "父母",
    "address": "北京市朝阳区望京街道望京西园三区312号楼2单元501号", "since": "2021-09-01",
}


def _credit_code(serial: int) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    body = "91110105" + f"{serial:09d}"
    check = alphabet[(31 - sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True)) % 31) % 31]
    return body + check


def _drive(demo: Demo, case: Case, target: str, *, handler: User, applicant: User | None) -> Case:
    """Take a fresh draft to `target` through the services, as the people involved would."""
    clerk, approver = demo.staff["clerk"], demo.staff["approver"]
    personal = applicant is not None
    if target == CaseState.DRAFT:
        return case
    if target == CaseState.WITHDRAWN:
        return case_withdraw(case=case, actor=applicant or handler)
    if personal:
        case = case_submit(case=case, actor=applicant)
    if target == CaseState.AWAITING_UNIT:
        return case
    demo.upload_all(case, handler)
    case = case_submit(case=case, actor=handler, slot=demo.slot() if personal else None)
    if target == CaseState.SUBMITTED:
        return case
    case = case_start_review(case=case, actor=clerk)
    if target == CaseState.IN_REVIEW:
        return case
    codes = case_checklist(case)
    if target == CaseState.RETURNED:
        material_verdict(case=case, code=codes[0], actor=clerk, accepted=False, reason="扫描件不清晰，请重新上传彩色扫描件")
        return case_return_for_correction(
            case=case, actor=clerk, problems=[{"material": None, "text": "请核对申请人联系方式"}]
        )
    if target == CaseState.REJECTED:
        return case_reject(case=case, actor=clerk, reason="经核查，申报材料与实际情况不符")
    for code in codes:
        material_verdict(case=case, code=code, actor=clerk, accepted=True)
    reasons = {
        check["rule"]: "经核实，符合要求"
        for check in case.assessment["zh"]["checks"] if check["outcome"] == "review"
    }
    if kind_of(case).to_bureau:
        case = case_forward(case=case, actor=clerk, review_reasons=reasons)
        if target == CaseState.PENDING_APPROVAL:
            return case
        return case_approve(case=case, actor=approver)
    return case_approve(case=case, actor=clerk, review_reasons=reasons)


PERSONAL_STATES = (
    CaseState.DRAFT, CaseState.AWAITING_UNIT, CaseState.SUBMITTED, CaseState.IN_REVIEW, CaseState.RETURNED,
    CaseState.APPROVED, CaseState.REJECTED, CaseState.WITHDRAWN,
)
UNIT_STATES = (
    CaseState.DRAFT, CaseState.SUBMITTED, CaseState.IN_REVIEW, CaseState.RETURNED, CaseState.APPROVED,
    CaseState.REJECTED, CaseState.WITHDRAWN,
)


def states_of(kind: str) -> tuple[str, ...]:
    """The states the demo takes cases of a kind to: pending approval only where the bureau approves."""
    if kind in UNIT_KINDS:
        return UNIT_STATES
    if kind in BUREAU_KINDS:
        return (*PERSONAL_STATES, CaseState.PENDING_APPROVAL)
    return PERSONAL_STATES


def create_demo(*, today: date, log: Callable[[str], None] = print) -> dict[str, int]:
    """Create the demo data set; returns how many cases of each kind."""
    demo = Demo(today=today, pdf=_demo_pdf())
    demo.staff = {
        "clerk": demo.person("clerk", Role.WINDOW_CLERK, "窗口王芳"),
        "clerk2": demo.person("clerk2", Role.WINDOW_CLERK, "窗口刘洋"),
        "approver": demo.person("approver", Role.BUREAU_APPROVER, "审批陈静"),
        "admin": demo.person("admin", Role.ADMIN, "管理员"),
    }
    for username, user in demo.staff.items():  # pre-enrolled with the published secrets (README §Demo accounts)
        demo_device_install(user=user, secret=DEMO_TOTP_SECRETS[username])
    hr = demo.person("hr", Role.UNIT_HANDLER, "人事赵敏")
    hr2 = demo.person("hr2", Role.UNIT_HANDLER, "人事孙强")
    star = demo.unit(hr, "北京星辰科技有限公司", _credit_code(1), qualifications=["high_tech_enterprise"])
    hospital = demo.unit(hr2, "北京朝阳康复医院", _credit_code(2), kind="public_institution")
    serial = 10
    for unit in (star, hospital):
        serial += 1
        opening = case_open(actor=unit.handlers.first(), kind="unit_opening", unit=unit)
        _drive(demo, opening, CaseState.APPROVED, handler=unit.handlers.first(), applicant=None)
        request = quota_request_create(unit=unit, actor=unit.handlers.first(), year=today.year, requested=30,
                                       reason="业务扩张，引进研发骨干")
        quota_grant(request=request, actor=demo.staff["approver"], granted=25)
    counts: dict[str, int] = {}
    people = 0

    def new_applicant(unit: Unit | None, **facts: Any) -> User:
        nonlocal people
        people += 1
        return demo.applicant(f"applicant{people}" if people > 1 else "applicant", unit, **facts)

    def holder(unit: Unit, issued: date) -> tuple[User, Permit]:
        user = new_applicant(unit)
        return user, permit_issue(holder=user, unit=unit, actor=demo.staff["approver"], on=issued)

    for kind in ("unit_opening", "unit_transfer"):
        for state in states_of(kind):
            serial += 1
            handler = demo.person(f"hr_{kind}_{state}", Role.UNIT_HANDLER)
            facts = (
                {"registered_district": "haidian", "tax_district": "chaoyang", "account_elsewhere": "haidian"}
                if kind == "unit_transfer" else {}
            )
            unit = demo.unit(handler, f"北京示例{'迁入' if kind == 'unit_transfer' else '新设'}企业{serial}有限公司",
                             _credit_code(serial), **facts)
            case = case_open(actor=handler, kind=kind, unit=unit)
            if kind == "unit_transfer" and state == CaseState.REJECTED:  # outside the district's remit: 不予受理
                case = _drive(demo, case, CaseState.SUBMITTED, handler=handler, applicant=None)
                case_refuse_acceptance(case=case, actor=demo.staff["clerk"],
                                       reason="申请单位的注册地不在朝阳区，且在海淀区的账户尚未办理迁出，不属于本区受理范围")
            else:
                _drive(demo, case, state, handler=handler, applicant=None)
            counts[kind] = counts.get(kind, 0) + 1
    for state in states_of("initial"):
        facts: dict[str, Any] = {"children": [{"case": "in_policy"}] if state == CaseState.APPROVED else []}
        answers: dict[str, Any] = (
            {"children": [{"name": "张小雨", "case": "in_policy"}]} if state == CaseState.APPROVED else {})
        if state == CaseState.IN_REVIEW:  # living in a relative's home: 附件3 with its particulars
            facts["housing"] = {"kind": "relative", "lease_end": None}
            answers["housing_loan"] = RELATIVE_HOME
        applicant = new_applicant(star, **facts)
        case = case_open(actor=applicant, kind="initial", unit=star, answers=answers)
        case = _drive(demo, case, state, handler=hr, applicant=applicant)
        if state == CaseState.PENDING_APPROVAL:  # the bureau needs more time (L-EXTEND): a 延期通知书
            case_extend(case=case, actor=demo.staff["approver"], reason="需向原单位核实社会保险缴纳记录，无法在法定期限内作出决定")
        counts["initial"] = counts.get("initial", 0) + 1
    for state in states_of("employer_change"):
        applicant, _permit = holder(hospital, today - timedelta(days=400))
        association = applicant.associations.get(unit=hospital, state="active")
        association_release(association=association, actor=hr2, left_on=today - timedelta(days=20), today=today)
        demo.associate(applicant, star)
        case = case_open(actor=applicant, kind="employer_change", unit=star)
        _drive(demo, case, state, handler=hr, applicant=applicant)
        counts["employer_change"] = counts.get("employer_change", 0) + 1
    for kind, subtype, answers in (
        ("children_change", None, {"children": [{"name": "李小满", "case": "in_policy"}]}),
        ("info_change", "address", {"housing": {"kind": "owned", "lease_end": None}}),
        ("info_change", "name_or_hukou", {"real_name": "王新名", "hukou": "beijing_family"}),
        ("info_change", "education", {"degree": "doctor"}),
    ):
        for state in states_of(kind):
            applicant, _permit = holder(star, today - timedelta(days=300))
            case = case_open(actor=applicant, kind=kind, subtype=subtype, unit=star, answers=answers)
            _drive(demo, case, state, handler=hr, applicant=applicant)
            counts[kind] = counts.get(kind, 0) + 1
    for state in states_of("renewal"):
        issued = add_years(today, -3) + timedelta(days=30)  # valid until 30 days from now: inside the window
        applicant, _permit = holder(star, issued)
        case = case_open(actor=applicant, kind="renewal", unit=star)
        _drive(demo, case, state, handler=hr, applicant=applicant)
        counts["renewal"] = counts.get("renewal", 0) + 1
    log(f"demo: {sum(counts.values())} cases ({', '.join(f'{k} {v}' for k, v in counts.items())}), "
        f"{people} applicants, password {DEMO_PASSWORD}")
    return counts
