"""Revealing a whole resident ID number to the staff who check it (issue 11 §2).

Every page shows the staff a case's ID numbers masked (110105********002X). A window clerk or a bureau approver who
must compare the whole number with the paper materials asks for it with the case page's button (a POST): the
applicant's number and the house owner's of 附件3, decrypted for that answer only, never kept in a page that was not
asked for, and each reveal an audit event `person.reveal` naming which numbers were shown — never their values.
Unit handlers and everyone else are refused: they see the masked numbers only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import STAFF_ROLES
from wrp.accounts.services import user_id_number
from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.models import Case
from wrp.cases.selectors import cases_visible_to
from wrp.core.errors import Forbidden, NotFound


@dataclass(frozen=True)
class RevealedNumbers:
    """The whole numbers of a case: the applicant's and the house owner's (附件3), "" where none is recorded."""

    applicant_id_number: str
    owner_id_number: str


def may_reveal(user: Any) -> bool:
    """The staff who check the materials: window clerks and bureau approvers."""
    return bool(getattr(user, "is_active", False)) and getattr(user, "role", None) in STAFF_ROLES


def _owner_id_number(case: Case) -> str:
    particulars = (case.answers or {}).get("housing_loan")
    value = particulars.get("owner_id_number") if isinstance(particulars, dict) else None
    return str(value).strip().upper() if value else ""


def person_reveal(*, case: Case, actor: Any) -> RevealedNumbers:
    """The case's whole ID numbers for a staff member who may see the case.

    Steps: refuse anyone but the staff (Forbidden) and a case they may not see (NotFound); decrypt the applicant's
    number; read the owner's from the answers; write the audit event `person.reveal` with the names of the fields
    shown (no number in `changes`).
    """
    if not may_reveal(actor):
        raise Forbidden(_("只有窗口审核人员和区局审批人员可以查看完整证件号码。"), code="staff_only")
    if not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise NotFound(code="case_not_found")
    applicant = case.applicant if case.applicant_id else None
    whole = (user_id_number(applicant) or "") if applicant is not None and applicant.id_number_encrypted else ""
    revealed = RevealedNumbers(applicant_id_number=whole, owner_id_number=_owner_id_number(case))
    fields = [name for name, value in (("applicant.id_number", revealed.applicant_id_number),
                                       ("housing_loan.owner_id_number", revealed.owner_id_number)) if value]
    with audited_atomic():
        audit_record(actor=actor, action="person.reveal", obj=case, changes={"fields": fields})
    return revealed
