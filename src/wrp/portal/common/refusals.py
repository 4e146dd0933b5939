"""A service's refusal in the page's words: the one place where a `wrp.core.errors.ServiceError` becomes page text.

Every refusal carries a lazily translated message, so `str(error)` (and `Invalid.messages()` for the fields) renders
in the language of the request that shows it. `refusal_text` is the sentence for the top of a page or a flash
message; `form_add_refusal` puts each of an `Invalid`'s field messages next to its form field and anything else at
the top of the form.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from wrp.cases.models import CaseState
from wrp.core.errors import Ineligible, Invalid, InvalidState, MaterialsMissing, ServiceError
from wrp.core.language import page_language
from wrp.portal.common.factwords import fact_label
from wrp.portal.templatetags.portal import material_title, state_label


def refusal_text(error: ServiceError) -> str:
    """A service refusal as one sentence in the page's language."""
    if isinstance(error, Invalid):
        return _("；").join(field_message(path, message) for path, message in error.messages().items())
    if isinstance(error, MaterialsMissing):
        return _("以下材料尚未上传：") + _("、").join(material_title(code) for code in error.missing)
    if isinstance(error, Ineligible):
        return _("不符合受理条件，未通过的检查项见下方。")
    if isinstance(error, InvalidState) and error.message is error.default_message and error.state in CaseState.values:
        # the bare refusal of a move the case's state does not allow: say which state it is in now
        return _("当前状态不允许此操作（%(state)s）。") % {"state": state_label(error.state)}
    return str(error)


def field_message(path: str, message: str) -> str:
    """A field's message, named by its question when the field is a fact of the assessment (the policy refuses
    `applicant.employment_start` as 必填: 入职本单位的日期：必填); other fields' messages say what they are about."""
    name = fact_label(path, page_language()) if "." in path else path
    return message if name == path else f"{name}{_('：')}{message}"


def failing_checks(error: Ineligible, lang: str) -> list[dict[str, object]]:
    """The rules an ineligible submission fails, as the rule list shows them."""
    return [check for check in error.assessment[lang]["checks"] if check["outcome"] == "fail"]


def form_add_refusal(form: forms.Form, error: ServiceError, aliases: dict[str, str] | None = None) -> None:
    """Put each of a service's field errors next to its field (`annual_tax.2024` → `annual_tax_2024`, `reason.x` →
    `reason`); a refusal that names no field of the form goes to the top of the form."""
    if not isinstance(error, Invalid):
        form.add_error(None, refusal_text(error))
        return
    for where, message in error.messages().items():
        head, _sep, rest = where.partition(".")
        name = (aliases or {}).get(head, head)
        name = f"{name}_{rest}" if f"{name}_{rest}" in form.fields else name
        if name in form.fields:
            form.add_error(name, message)
        else:
            form.add_error(None, field_message(where, message))
