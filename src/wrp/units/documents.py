"""Unit standing documents (系统附件管理, G2.注意事项.4): the unit materials every unit case asks for — business
licence, tax certificates, social insurance record — kept current in one place and reused by the unit's cases.

Here: which materials they are, and the unit's current ones. The upload (checked and sanitised like a case material)
is `wrp.documents.standing.unit_document_upload`; a case takes a copy through `wrp.cases.standing.unit_document_attach`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from wrp.core.errors import Invalid
from wrp.units.models import Unit, UnitDocument

STANDING_CODES = ("business_license", "unit_tax_certificates", "unit_social_insurance_record")


def unit_documents(unit: Unit) -> dict[str, UnitDocument]:
    """The unit's current standing documents by code, with their files."""
    return {doc.code: doc for doc in UnitDocument.objects.filter(unit_id=unit.pk).select_related("file", "updated_by")}


def standing_code(code: Any) -> str:
    """The code if it names a standing document; Invalid otherwise."""
    if code not in STANDING_CODES:
        raise Invalid({"code": _("不是单位常备材料。")}, codes={"code": "not_standing_document"})
    return str(code)
