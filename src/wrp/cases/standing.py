"""A unit's standing documents used by its cases (系统附件管理, G2.注意事项.4): a case whose checklist names one of
them takes a copy of the unit's current document as its material. The copy goes through `material_upload`, the one
door for case materials, so the case keeps the file it was submitted with even if the unit updates its document later.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from wrp.cases.materials import material_upload
from wrp.cases.models import Case, CaseMaterial
from wrp.cases.selectors import is_case_handler
from wrp.core.errors import Forbidden, NotFound
from wrp.documents.pdfcheck import Sanitised
from wrp.documents.services import open_file
from wrp.units.documents import standing_code
from wrp.units.models import UnitDocument


def unit_document_attach(*, case: Case, actor: Any, code: str) -> CaseMaterial:
    """Use the unit's current document `code` as the case's material of that code (its handlers only): a copy,
    through `material_upload`, which checks the case's state and its checklist."""
    if not is_case_handler(actor, case):
        raise Forbidden(_("只有该单位的经办人可以使用单位材料。"), code="unit_handlers_only")
    code = standing_code(code)
    document = UnitDocument.objects.filter(unit_id=case.unit_id, code=code).select_related("file").first()
    if document is None:
        raise NotFound(code="unit_document_not_found")
    stored = document.file
    grey = next((list(w.get("pages") or []) for w in stored.warnings if w.get("code") == "not_colour"), [])
    ready = Sanitised(
        pdf=open_file(stored), pages=stored.pages, sha256=stored.sha256, removed=list(stored.removed),
        warnings=[w for w in stored.warnings if w.get("code") != "not_colour"], greyscale_pages=grey,
    )
    return material_upload(case=case, code=code, actor=actor, data=b"", original_name=stored.original_name,
                           sanitised=ready)
