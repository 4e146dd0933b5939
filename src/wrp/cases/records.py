"""A case's issued documents as records (POLICY §11 L-RECORD, issue 12 §4).

Every notice, decision and receipt of a case is issued once, inside the transaction of the act that makes it: the
PDF is built with its 文号, signed, stored privately with its SHA-256 and recorded as an `IssuedDocument`
(`wrp.documents.issuing`); downloads serve those stored bytes, so renaming the unit or the applicant later changes
nothing already issued. A later document of the same kind supersedes the earlier one.

The declarations a person signs (附件1–3) are drafts built on demand for the case's filers until the case is
submitted; each submission freezes them with the case version (`on_submitted`), unnumbered.

A unit handler never receives a whole resident ID number (issue 11 §2). The declarations that carry one (附件2, 附件3)
are therefore frozen twice at each submission: the record as signed, with the whole numbers, and the unit's copy
(`<kind>_masked`), built from the same values with every number masked, signed and stored alike. Masking the stored
record at download time would mean rebuilding it from today's records or editing signed bytes; a second record keeps
the legal one intact and gives the unit a copy that is itself a record. The selectors give a unit handler the copies
only (their drafts masked too), everyone else the records; a staff download of a record is a `person.reveal` event.

The hooks `on_submitted`, `on_returned` and `on_decided` are called by `wrp.cases.services` inside the act's
transaction, once the case row carries the act's result (state, decider, reason, permit). Reads for users go through
the selectors `documents_for_case`, `documents_for_permit`, `document_for_download`, `draft_declarations_for`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import STAFF_ROLES, Role
from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.kinds import kind_of
from wrp.cases.models import Case, CaseState, CorrectionNotice
from wrp.cases.printouts import (
    DECLARATIONS,
    correction_notice_pdf_for,
    decision_pdf_for,
    declaration_pdf,
    declarations_applying,
)
from wrp.cases.selectors import cases_visible_to, visible_to
from wrp.core.errors import Invalid, NotFound
from wrp.core.prepared import Prepared
from wrp.documents import issuing
from wrp.documents.issuing import document_issue, document_kind
from wrp.documents.models import IssuedDocument
from wrp.documents.services import open_file
from wrp.permits.models import Permit
from wrp.permits.selectors import can_see_permit, permits_visible_to
from wrp.permits.services import CERTIFICATE, permit_certificate_issue
from wrp.policy.codes import ChangeSubtype
from wrp.units.selectors import is_handler

DECISION = "decision"
CORRECTION_NOTICE = "correction_notice"
# The declarations that carry a whole ID number, and the kind of the unit's masked copy of each.
MASKED_COPIES = {"integrity_personal": "integrity_personal_masked", "housing_loan": "housing_loan_masked"}
# Who may fetch the drafts: the case's filers, while they may still change what the declarations say.
DRAFT_STATES = (CaseState.DRAFT, CaseState.AWAITING_UNIT, CaseState.RETURNED)


def issue_case_document(
    *,
    case: Case,
    kind: str,
    build: Callable[[str], bytes],
    actor: Any,
    at: datetime | None = None,
    numbered: bool = True,
    title: str = "",
) -> IssuedDocument:
    """Issue one document of the case inside the caller's transaction: the next 文号 of the year (none when not
    `numbered`), `build(number)` for the PDF with the number printed inside, signed, stored with its SHA-256, the row
    (superseding the case's current document of the kind) and an audit event."""
    return document_issue(kind=kind, build=build, actor=actor, at=at, case=case, case_version=case.version,
                          numbered=numbered, title=title)


def require_real_names(case: Case) -> None:
    """Invalid naming the person whose real name is missing: no document prints a login name, so a personal case
    cannot be submitted, returned or decided while its applicant has none on record."""
    applicant = case.applicant if kind_of(case).personal else None
    if applicant is not None and not (getattr(applicant, "real_name", "") or "").strip():
        raise Invalid(
            {"applicant": format_lazy(
                _("申请人（账户 {username}）尚未登记真实姓名：请先在个人资料中填写姓名，文书不能打印登录名。"),
                username=applicant.username,
            )},
            codes={"applicant": "real_name_missing"},
        )


def on_submitted(case: Case, actor: Any, at: datetime | None = None) -> list[IssuedDocument]:
    """Freeze the declarations (附件1–3) that apply, as they read at this submission, with the case version; for
    those carrying an ID number, the unit's masked copy too."""
    require_real_names(case)
    frozen = []
    for kind in declarations_applying(case):
        renditions = [(kind, False)] + ([(MASKED_COPIES[kind], True)] if kind in MASKED_COPIES else [])
        for issued_kind, masked in renditions:
            data = declaration_pdf(case, kind, masked=masked)
            if data is None:
                continue
            frozen.append(issue_case_document(case=case, kind=issued_kind, build=lambda _number, data=data: data,
                                              actor=actor, at=at, numbered=False))
    return frozen


def on_returned(case: Case, notice: CorrectionNotice, actor: Any, at: datetime | None = None) -> IssuedDocument:
    """Issue the consolidated correction notice (补正材料一次性告知书) of this return."""
    require_real_names(case)
    return issue_case_document(case=case, kind=CORRECTION_NOTICE, actor=actor, at=at or notice.issued_at,
                               build=lambda number: correction_notice_pdf_for(case, notice, number))


def on_decided(case: Case, actor: Any, at: datetime | None = None) -> IssuedDocument:
    """Issue the decision letter: an approval stating what it grants, or a refusal with every reason and the
    remedies (L-REFUSE). On an approval the permit's new certificate (issued by the permit's service as the effect
    was applied) is tied to the case; a change of name, which the permit's service does not see, issues one here."""
    require_real_names(case)
    at = at or case.decided_at or timezone.now()
    approved = case.state == CaseState.APPROVED
    title = "准予办理决定书" if approved else "不予办理决定书"
    document = issue_case_document(case=case, kind=DECISION, actor=actor, at=at, title=title,
                                   build=lambda number: decision_pdf_for(case, number))
    if approved and case.permit_id:
        _certificate_for(case, actor=actor, at=at)
    return document


def _certificate_for(case: Case, *, actor: Any, at: datetime) -> None:
    permit = case.permit
    assert permit is not None
    untied = IssuedDocument.objects.filter(permit=permit, kind=CERTIFICATE, case__isnull=True,
                                           superseded_by__isnull=True, issued_by=actor)
    if not untied.exists() and kind_of(case).subtype == ChangeSubtype.NAME_OR_HUKOU and case.answers.get("real_name"):
        permit_certificate_issue(permit=permit, actor=actor, at=at)
    untied.update(case=case)


# --- selectors ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftDeclaration:
    """A declaration not yet frozen: built on demand from today's records for the case's filers."""

    kind: str
    title: str


def _filer(user: Any, case: Case) -> bool:
    return (case.applicant_id is not None and case.applicant_id == getattr(user, "pk", None)) or is_handler(
        user, case.unit
    )


def _visible_case(user: Any, case: Case) -> bool:
    return visible_to(user, case)


def sees_masked_copies(user: Any) -> bool:
    """A unit handler gets the unit's copies of the declarations (masked ID numbers), never the records."""
    return getattr(user, "role", None) == Role.UNIT_HANDLER


def _kinds_withheld(user: Any) -> list[str]:
    return list(MASKED_COPIES) if sees_masked_copies(user) else list(MASKED_COPIES.values())


def documents_for_case(user: Any, case: Case) -> QuerySet[IssuedDocument]:
    """The documents issued for the case, oldest first, for those who may see the case (NotFound to the rest): a
    unit handler's list has the unit's copies of the declarations instead of the records, everyone else's the
    records alone."""
    if not _visible_case(user, case):
        raise NotFound(code="case_not_found")
    return (IssuedDocument.objects.filter(case=case).exclude(kind__in=_kinds_withheld(user))
            .select_related("superseded_by").order_by("issued_at", "id"))


# What a page lists of a case's documents, oldest first: its statement compiled once (wrp.core.prepared), as every
# case page shows the panel
_LISTED = Prepared(lambda case: IssuedDocument.objects.filter(case_id=case).only(
    "id", "kind", "title", "number", "issued_at", "case_version").annotate(
    superseded=Exists(IssuedDocument.objects.filter(supersedes=OuterRef("pk")))).order_by("issued_at", "id"), case=int)


def documents_listed_for_case(user: Any, case: Case) -> list[IssuedDocument]:
    """`documents_for_case` as the case page's panel lists them: each document's kind, title, 文号, date, submission
    and whether a later one superseded it (`superseded`), no more."""
    if not _visible_case(user, case):
        raise NotFound(code="case_not_found")
    withheld = set(_kinds_withheld(user))
    return [document for document in _LISTED.rows(case=case.pk) if document.kind not in withheld]


def documents_for_permit(user: Any, permit: Permit) -> QuerySet[IssuedDocument]:
    """The permit's certificates, oldest first, for the holder, the unit's handlers and the staff."""
    if not can_see_permit(user, permit):
        raise NotFound(code="permit_not_found")
    return (IssuedDocument.objects.filter(permit=permit, kind=CERTIFICATE).select_related("superseded_by")
            .order_by("issued_at", "id"))


def draft_declarations_for(user: Any, case: Case) -> list[DraftDeclaration]:
    """The declarations its filers may print from today's records (marked draft), while they may still change them;
    nothing for anyone else (the window sees the declarations once submitted, frozen)."""
    if case.state not in DRAFT_STATES or not _filer(user, case) or not _visible_case(user, case):
        return []
    masked = sees_masked_copies(user)  # a unit handler's drafts are the unit's copies: titled as such
    return [DraftDeclaration(kind=kind, title=document_kind(MASKED_COPIES.get(kind, kind) if masked else kind).title)
            for kind in declarations_applying(case)]


def draft_declaration_for(user: Any, case: Case, kind: str) -> bytes:
    """The draft PDF of one declaration for a filer (NotFound when it is not theirs to print or does not apply)."""
    if kind not in DECLARATIONS or kind not in {draft.kind for draft in draft_declarations_for(user, case)}:
        raise NotFound(code="document_not_found")
    data = declaration_pdf(case, kind, masked=sees_masked_copies(user))
    if data is None:
        raise NotFound(code="document_not_found")
    return data


def document_for_download(user: Any, document_id: Any) -> IssuedDocument:
    """The issued document if the user may see its case or its permit; NotFound alike for the missing and the
    someone-else's."""
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        raise NotFound(code="document_not_found") from None
    visible = Q(case__in=cases_visible_to(user).values("pk")) | Q(
        permit__in=permits_visible_to(user).values("pk"), kind=CERTIFICATE
    )
    document = (IssuedDocument.objects.filter(visible, pk=pk).exclude(kind__in=_kinds_withheld(user))
                .select_related("file", "case", "permit").first())
    if document is None:
        raise NotFound(code="document_not_found")
    return document


def current_document_for(user: Any, case: Case, kind: str) -> IssuedDocument | None:
    """The case's current (not superseded) document of the kind, for those who may see the case; for a unit handler
    asking for a declaration that carries an ID number, the unit's copy of it."""
    if sees_masked_copies(user):
        kind = MASKED_COPIES.get(kind, kind)
    return documents_for_case(user, case).filter(kind=kind, superseded_by__isnull=True).order_by("-issued_at",
                                                                                               "-id").first()


def current_certificate_for(user: Any, permit: Permit) -> IssuedDocument | None:
    """The permit's current certificate, for those who may see the permit (None before any was issued)."""
    return documents_for_permit(user, permit).filter(superseded_by__isnull=True).order_by("-issued_at", "-id").first()


def document_download(*, user: Any, document: IssuedDocument) -> bytes:
    """The stored bytes of a document the user was given by a selector, checked against its SHA-256; each download
    is an audit event."""
    data = open_file(document.file)
    with audited_atomic():
        audit_record(actor=user, action="document.download", obj=document,
                     changes={"kind": document.kind, "sha256": document.sha256})
        if document.kind in MASKED_COPIES and getattr(user, "role", None) in STAFF_ROLES:
            # the record carries whole ID numbers: for the staff, a reveal like the case page's button
            audit_record(actor=user, action="person.reveal", obj=document.case or document,
                         changes={"fields": ["id_number"], "via": f"document:{document.pk}"})
    return data


def find_document(number: str, sha256: str) -> IssuedDocument | None:
    """The issued document of this 文号 and SHA-256, for the public verification page (None when they do not match)."""
    return issuing.find_document(number, sha256)

