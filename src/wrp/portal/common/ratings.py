"""好差评 on the case page: once a case is decided, its applicant and its unit's handlers see a form to rate how it
was handled (five levels and an optional comment), once per party; afterwards the party sees the rating it gave.
The bureau's approvers see every rating of the case. The rating itself is `wrp.cases.ratings.case_rate`.

The panel is drawn by the `{% case_rating_panel %}` tag (templatetags/case_ratings.py) from `rating_panel`, so the
case page needs no more than that one line; the form posts to `case_rating`, which goes back to the case page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wrp.accounts.models import Role
from wrp.cases.models import Case, RatingLevel
from wrp.cases.ratings import COMMENT_MAX, DECIDED, case_rate, case_ratings, rating_party_of
from wrp.core.errors import Invalid, ServiceError
from wrp.portal.case_page import case_context
from wrp.portal.common.access import case_or_404
from wrp.portal.common.refusals import form_add_refusal, refusal_text


class RatingForm(forms.Form):
    level = forms.ChoiceField(label=_("您对本案办理的评价"), widget=forms.RadioSelect, choices=RatingLevel.choices,
                              error_messages={"required": _("请选择一项评价。"),
                                              "invalid_choice": _("请选择一项评价。")})
    comment = forms.CharField(label=_("评价意见（选填）"), required=False, max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("请勿填写身份证号码等个人信息。"),
                              error_messages={"max_length": _("评价意见不能超过 500 字。")})


def rating_panel(case: Case, user: Any, form: RatingForm | None = None) -> dict[str, Any]:
    """What the rating panel shows the user: the form while their party may rate, the rating their party gave, or
    (bureau approvers) every rating of the case; nothing for anyone else, nor before the decision (no query then)."""
    empty: dict[str, Any] = {"case": case, "open_to": None, "rating_form": None, "ratings": []}
    if case.state not in DECIDED:
        return empty
    if getattr(user, "role", None) == Role.BUREAU_APPROVER:
        return {**empty, "ratings": list(case_ratings(case).values())}
    party = rating_party_of(case, user)
    if party is None:
        return empty
    given = case_ratings(case).get(party)
    if given is not None:
        return {**empty, "ratings": [given]}
    return {**empty, "open_to": party, "rating_form": form or RatingForm()}


@login_required
@require_POST
def case_rating(request: HttpRequest, public_id: str) -> HttpResponse:
    """Rate the case (POST from its page); back to the page, with the form and its errors when refused."""
    case = case_or_404(request, public_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            case_rate(case=case, actor=request.user, level=form.cleaned_data["level"],
                      comment=form.cleaned_data["comment"])
        except Invalid as error:
            form_add_refusal(form, error)
        except ServiceError as error:
            messages.error(request, refusal_text(error))
            return redirect("portal:case", public_id=case.public_id)
        else:
            messages.success(request, gettext("感谢您的评价。"))
            return redirect("portal:case", public_id=case.public_id)
    context = {**case_context(request, case), "rating_form": form}
    return render(request, "portal/case/detail.html", context, status=422)
