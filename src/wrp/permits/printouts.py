"""The permit certificate's values, gathered from the permit: holder, number, unit, validity, its status in words as
of the day it is printed, and the address of the public verification page its QR code carries.
`wrp.documents.printing.certificate_pdf` lays it out."""

from __future__ import annotations

from datetime import date

from wrp.documents.printing import CertificateData, certificate_pdf
from wrp.permits.models import Permit
from wrp.permits.verification import permit_status_on, status_words


def certificate_data(permit: Permit, *, verify_url: str, today: date) -> CertificateData:
    holder = permit.holder
    return CertificateData(
        holder_name=(getattr(holder, "real_name", "") or "").strip() or holder.username,
        permit_number=permit.number,
        unit_name=permit.unit.name,
        issued_on=permit.issued_on,
        valid_until=permit.valid_until,
        status=status_words(permit_status_on(permit, today)),
        printed_on=today,
        verify_url=verify_url,
    )


def certificate(permit: Permit, *, verify_url: str, today: date) -> bytes:
    """The certificate's PDF as of `today`."""
    return certificate_pdf(certificate_data(permit, verify_url=verify_url, today=today))
