"""The bureau's one extension of a case's time limit (延期, POLICY §11 L-EXTEND): a reason and a box to tick on the
case page; the service (`wrp.cases.acceptance.case_extend`) refuses a second extension or one after the due date."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wrp.cases.acceptance import case_extend
from wrp.core.errors import Invalid, ServiceError
from wrp.portal.bureau.forms import _confirm_field
from wrp.portal.bureau.views import _case_page, approver_only
from wrp.portal.common.access import case_or_404
from wrp.portal.common.refusals import form_add_refusal, refusal_text
from wrp.public.templatetags.wrp_format import cn_date


class ExtendForm(forms.Form):
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                             error_messages={"required": _("请写明延期的理由。")})
    confirm = _confirm_field(_("我确认延长办理期限（只能延长一次）"))


@approver_only
@require_POST
def bureau_case_extend(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, extend_form=form)
    try:
        case = case_extend(case=case, actor=request.user, reason=form.cleaned_data["reason"])
    except Invalid as error:
        form_add_refusal(form, error)
        return _case_page(request, case, extend_form=form)
    except ServiceError as error:
        return _case_page(request, case, refusal=refusal_text(error))
    messages.success(request, gettext("已将 %(case)s 的办理期限延长至 %(due)s，延期通知书已发给单位和申请人。")
                     % {"case": case.public_id, "due": cn_date(case.due_on) if case.due_on else ""})
    return redirect("portal:case", public_id=case.public_id)
