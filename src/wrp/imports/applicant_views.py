"""The invited employee's page: the unit's pending invitations addressed to them (by their resident ID number), each
to confirm — which makes the association — or decline. Mounted by `wrp.imports.applicant_urls` at /me/invitations/."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrp.accounts.models import Role
from wrp.core.errors import ServiceError
from wrp.imports.invitations import invitation_accept, invitation_decline, invitation_for, invitations_for
from wrp.portal.common.access import role_required
from wrp.portal.common.refusals import refusal_text


@role_required(Role.APPLICANT)
def invitations_page(request: HttpRequest) -> HttpResponse:
    return render(request, "imports/invitations.html", {"invitations": list(invitations_for(request.user))})


@role_required(Role.APPLICANT)
@require_POST
def invitation_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    try:
        invitation = invitation_for(request.user, pk)
        if answer == "accept":
            invitation_accept(invitation=invitation, actor=request.user)
            messages.success(request, _("已确认，您已与 %(unit)s 关联。") % {"unit": invitation.unit.name})
        else:
            invitation_decline(invitation=invitation, actor=request.user)
            messages.success(request, _("已拒绝 %(unit)s 的关联邀请。") % {"unit": invitation.unit.name})
    except ServiceError as error:
        messages.error(request, refusal_text(error))
    return redirect("portal:applicant_invitations")
