"""Printing: the documents the platform prints for people to sign, stamp or keep — the guide's attachments 附件1–3,
the consolidated correction notice (一次性告知书), the decision letter and the permit certificate.

A pure layout layer: each builder takes a frozen dataclass of plain values (`printing.data`) and answers the bytes of
an A4 PDF; it reads no model and no request, so it is tested without the database. The values are gathered by the
document's owner: `wrp.cases.printouts` for a case's documents, `wrp.permits.printouts` for the certificate.
"""

from wrp.documents.printing.certificate import certificate_pdf
from wrp.documents.printing.data import (
    CaseParties,
    CertificateData,
    CorrectionNoticeData,
    DecisionData,
    HousingLoanDeclaration,
    Office,
    PersonalDeclaration,
    Problem,
    Reason,
    Remedies,
    UnitDeclaration,
)
from wrp.documents.printing.declarations import housing_loan_pdf, integrity_personal_pdf, integrity_unit_pdf
from wrp.documents.printing.layout import cn_date
from wrp.documents.printing.letters import correction_notice_pdf, decision_pdf

__all__ = [
    "CaseParties",
    "CertificateData",
    "CorrectionNoticeData",
    "DecisionData",
    "HousingLoanDeclaration",
    "Office",
    "PersonalDeclaration",
    "Problem",
    "Reason",
    "Remedies",
    "UnitDeclaration",
    "certificate_pdf",
    "cn_date",
    "correction_notice_pdf",
    "decision_pdf",
    "housing_loan_pdf",
    "integrity_personal_pdf",
    "integrity_unit_pdf",
]
