"""How the demo's people act: `Demo` makes people (each with verified contacts), units, uploads and slots; `drive`
takes a fresh draft to a state through the services, in the order the people involved would act, and its parts
(`file_to`, `correction_ask`, `materials_accept`) serve the cases of the past weeks (`wrp.demo.aged`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from wrp.accounts.models import ApplicantProfile, Role, User
from wrp.accounts.services import user_create
from wrp.appointments.services import slots_between
from wrp.cases.kinds import kind_of
from wrp.cases.materials import case_checklist, material_upload, material_verdict
from wrp.cases.models import Case, CaseState
from wrp.cases.services import (
    case_approve,
    case_forward,
    case_reject,
    case_return_for_correction,
    case_start_review,
    case_submit,
    case_withdraw,
)
from wrp.demo.people import DEMO_PASSWORD, GIVEN, PROFILE, SURNAMES, resident_id
from wrp.demo.timeline import DemoClock
from wrp.documents.pdfcheck import Sanitised, inspect_and_sanitise
from wrp.employment.services import association_accept, association_request
from wrp.notifications.services import contact_preference_set
from wrp.units.models import Unit
from wrp.units.services import unit_register


def demo_pdf() -> Sanitised:
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
    clock: DemoClock = field(init=False)

    def __post_init__(self) -> None:
        self.clock = DemoClock(self.today)

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
        start = timezone.localdate() + timedelta(days=1)  # the day after the demo clock's day
        slots = slots_between(start=start, end=start + timedelta(days=30), now=timezone.now())
        return next(slot.public_id for slot in slots if slot.booked < slot.capacity)


RELATIVE_HOME = {  # 附件3's particulars of a demo applicant living in their parents' home
    "owner_name": "周建国", "owner_id_number": "110105196203150018", "relationship": "父母",
    "address": "北京市朝阳区望京街道望京西园三区312号楼2单元501号", "since": "2021-09-01",
}


def credit_code(serial: int) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    body = "91110105" + f"{serial:09d}"
    check = alphabet[(31 - sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True)) % 31) % 31]
    return body + check


def file_to(demo: Demo, case: Case, target: str, *, handler: User, applicant: User | None) -> Case:
    """Take a fresh draft as far as `target` on the filing side: the applicant passes it to the unit, the unit uploads
    every material and submits it to the window (any state from submitted on stops there)."""
    if target == CaseState.DRAFT:
        return case
    if target == CaseState.WITHDRAWN:
        return case_withdraw(case=case, actor=applicant or handler)
    personal = applicant is not None
    if personal:
        case = case_submit(case=case, actor=applicant)
    if target == CaseState.AWAITING_UNIT:
        return case
    demo.upload_all(case, handler)
    return case_submit(case=case, actor=handler, slot=demo.slot() if personal else None)


def correction_ask(demo: Demo, case: Case) -> Case:
    """The clerk refuses the first material and returns the case with the one consolidated notice."""
    clerk = demo.staff["clerk"]
    material_verdict(case=case, code=case_checklist(case)[0], actor=clerk, accepted=False,
                     reason="扫描件不清晰，请重新上传彩色扫描件")
    return case_return_for_correction(case=case, actor=clerk, problems=[{"material": None, "text": "请核对申请人联系方式"}])


def materials_accept(demo: Demo, case: Case) -> dict[str, str]:
    """The clerk accepts every material; answers a reason for each rule the assessment left to review."""
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=demo.staff["clerk"], accepted=True)
    return {check["rule"]: "经核实，符合要求" for check in case.assessment["zh"]["checks"] if check["outcome"] == "review"}


def drive(demo: Demo, case: Case, target: str, *, handler: User, applicant: User | None) -> Case:
    """Take a fresh draft to `target` through the services, as the people involved would."""
    clerk, approver = demo.staff["clerk"], demo.staff["approver"]
    case = file_to(demo, case, target, handler=handler, applicant=applicant)
    if case.state == target:
        return case
    case = case_start_review(case=case, actor=clerk)
    if target == CaseState.IN_REVIEW:
        return case
    if target == CaseState.RETURNED:
        return correction_ask(demo, case)
    if target == CaseState.REJECTED:
        return case_reject(case=case, actor=clerk, reason="经核查，申报材料与实际情况不符")
    reasons = materials_accept(demo, case)
    if kind_of(case).to_bureau:
        case = case_forward(case=case, actor=clerk, review_reasons=reasons)
        if target == CaseState.PENDING_APPROVAL:
            return case
        return case_approve(case=case, actor=approver)
    return case_approve(case=case, actor=clerk, review_reasons=reasons)
