"""The permit certificate's values, gathered from the permit when the certificate is issued: the holder with the
masked ID number, the permit number, the unit, the accompanying children, the validity, the issuing organ, the 文号
and the address of the public verification page its QR code carries (the canonical public base URL, never the
request's host). `wrp.documents.printing.certificate_pdf` lays it out; `wrp.permits.services` issues it."""

from __future__ import annotations

from datetime import date

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.core.errors import Invalid
from wrp.documents.printing import CertificateData, certificate_pdf
from wrp.permits import verification
from wrp.permits.models import Permit
from wrp.policy.codes import ChildCase
from wrp.policy.labels import zh


def certificate_verify_url(permit: Permit) -> str:
    """The absolute address of the permit's public verification page, as its QR code carries it."""
    return verification.permit_verify_url(permit)


def holder_name(permit: Permit) -> str:
    """The holder's real name; Invalid naming the account when none is recorded (a login name is never printed)."""
    name = (getattr(permit.holder, "real_name", "") or "").strip()
    if not name:
        raise Invalid(
            {"holder": format_lazy(_("持证人（账户 {username}）尚未登记真实姓名，不能签发证件。"),
                                   username=permit.holder.username)},
            codes={"holder": "real_name_missing"},
        )
    return name


def _child(name: str, case: str) -> str:
    label = zh(ChildCase(case)) if case in ChildCase.__members__.values() else ""
    name = name.strip() or "姓名未登记"
    return f"{name}（{label}）" if label else name


def certificate_data(permit: Permit, *, number: str, issued_on: date) -> CertificateData:
    return CertificateData(
        holder_name=holder_name(permit),
        holder_id_masked=permit.holder.id_number_masked or "",
        permit_number=permit.number,
        unit_name=permit.unit.name,
        issued_on=issued_on,
        valid_until=permit.valid_until,
        children=tuple(_child(child.name, child.case) for child in permit.children.order_by("added_on", "id")),
        verify_url=certificate_verify_url(permit),
        number=number,
    )


def certificate(permit: Permit, *, number: str, issued_on: date) -> bytes:
    """The certificate's PDF with its 文号, as issued on `issued_on`."""
    return certificate_pdf(certificate_data(permit, number=number, issued_on=issued_on))
