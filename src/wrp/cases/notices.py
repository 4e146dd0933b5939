"""The notices of the acceptance duty and of the extension, gathered from the case and issued as records: the receipt
of materials (材料接收凭证), the 受理通知书, the 不予受理通知书 and the 延期通知书 (POLICY §11).

Each `*_data` answers the plain values of one notice as of the act; each `*_issue` lays it out
(`wrp.documents.printing.notices`) and issues it once through `wrp.cases.records.issue_case_document` inside the
act's transaction — numbered, signed, stored with its hash, never rebuilt. Only masked ID numbers are printed, and
never a login name (`records.require_real_names` stops a submission without real names).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from wrp.cases import records
from wrp.cases.kinds import kind_of
from wrp.cases.models import Case, CaseMaterial, MaterialStatus
from wrp.documents.printing.data import CaseParties, Remedies
from wrp.documents.printing.notices import (
    AcceptanceNoticeData,
    ExtensionData,
    NonAcceptanceData,
    ReceiptData,
    ReceivedMaterial,
    acceptance_notice_pdf,
    extension_notice_pdf,
    non_acceptance_pdf,
    receipt_pdf,
)
from wrp.policy.materials import MATERIALS


def parties(case: Case) -> CaseParties:
    """Who and what the notice is about: the item in the guide's words, the unit, the applicant's real name."""
    applicant = case.applicant
    return CaseParties(
        case_id=case.public_id,
        item_title=kind_of(case).title[0],
        unit_name=case.unit.name,
        credit_code=case.unit.credit_code,
        applicant_name=((applicant.real_name or "").strip() if applicant is not None else ""),
        applicant_id_masked=((applicant.id_number_masked or "") if applicant is not None else ""),
        submitted_on=case.accepted_on,
    )


def _local(moment: datetime | None) -> datetime:
    return timezone.localtime(moment or timezone.now())


def received_materials(case: Case) -> tuple[ReceivedMaterial, ...]:
    """The materials on file at this submission, by their names (those asked to be uploaded again excluded)."""
    rows = (
        CaseMaterial.objects.filter(case=case, file__isnull=False).exclude(status=MaterialStatus.REJECTED)
        .select_related("file").order_by("-required", "id")
    )
    return tuple(
        ReceivedMaterial(title=MATERIALS[row.code].title_zh if row.code in MATERIALS else row.code,
                         pages=getattr(row.file, "pages", None))
        for row in rows
    )


def receipt_data(case: Case) -> ReceiptData:
    assert case.received_at is not None
    assert case.acceptance_due is not None
    return ReceiptData(
        parties=parties(case), received_at=_local(case.received_at), submission=max(case.version, 1),
        materials=received_materials(case), acceptance_due=case.acceptance_due,
    )


def acceptance_notice_data(case: Case, *, issued_on: date) -> AcceptanceNoticeData:
    assert case.accepted_at is not None
    received = _local(case.received_at).date() if case.received_at else timezone.localdate(case.accepted_at)
    return AcceptanceNoticeData(
        parties=parties(case), how=case.acceptance, received_on=received,
        accepted_on=timezone.localdate(case.accepted_at), issued_on=issued_on, time_limit=case.time_limit,
        decision_due=case.due_on,
    )


def remedies() -> Remedies:
    return Remedies(reconsideration_body=settings.REMEDY_RECONSIDERATION_BODY, court=settings.REMEDY_COURT)


def non_acceptance_data(case: Case, *, issued_on: date) -> NonAcceptanceData:
    received = _local(case.received_at).date() if case.received_at else issued_on
    return NonAcceptanceData(parties=parties(case), received_on=received, issued_on=issued_on,
                             reasons=case.acceptance_reason, remedies=remedies())


def extension_data(case: Case, *, issued_on: date) -> ExtensionData:
    assert case.due_before_extension is not None
    assert case.due_on is not None
    return ExtensionData(parties=parties(case), issued_on=issued_on, days=case.extension_days or 0,
                         previous_due=case.due_before_extension, new_due=case.due_on, reason=case.extension_reason)


# --- issuing ---------------------------------------------------------------------------------------------------------


def receipt_issue(case: Case, *, actor: Any, at: datetime) -> Any:
    """材料接收凭证 of this submission or resubmission."""
    data = receipt_data(case)
    return records.issue_case_document(case=case, kind="receipt", build=lambda number: receipt_pdf(data, number),
                                       actor=actor, at=at)


def acceptance_notice_issue(case: Case, *, actor: Any, at: datetime) -> Any:
    """受理通知书 (explicit, with the decision, or deemed — the scheduler issues that one, `actor` None)."""
    data = acceptance_notice_data(case, issued_on=_local(at).date())
    return records.issue_case_document(case=case, kind="acceptance",
                                       build=lambda number: acceptance_notice_pdf(data, number), actor=actor, at=at)


def non_acceptance_issue(case: Case, *, actor: Any, at: datetime) -> Any:
    data = non_acceptance_data(case, issued_on=_local(at).date())
    return records.issue_case_document(case=case, kind="non_acceptance",
                                       build=lambda number: non_acceptance_pdf(data, number), actor=actor, at=at)


def extension_notice_issue(case: Case, *, actor: Any, at: datetime) -> Any:
    data = extension_data(case, issued_on=_local(at).date())
    return records.issue_case_document(case=case, kind="extension",
                                       build=lambda number: extension_notice_pdf(data, number), actor=actor, at=at)
