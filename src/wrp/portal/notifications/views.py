"""The notification centre (any signed-in role): the person's notices newest first, marking one or all read, and their
contact details, channel choices and the verification of each address by a code.

Works without JavaScript: every change is a form POST that redirects back (or, for "查看", on to the notice's page).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from wrp.core.errors import NotFound, ServiceError
from wrp.notifications.channels import mask_address
from wrp.notifications.models import Channel
from wrp.notifications.selectors import notifications_for
from wrp.notifications.services import (
    contact_of,
    contact_preference_update,
    contact_verification_send,
    contact_verify,
    notification_mark_read,
    notifications_mark_all_read,
)
from wrp.portal.common.presenters import keyset_listing
from wrp.portal.common.refusals import form_add_refusal, refusal_text
from wrp.portal.notifications.forms import ContactForm, VerifyForm

log = logging.getLogger("wrp.notifications")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    notices = notifications_for(request.user)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    # Newest first by keyset (`?after=`): a person's notices only grow, and the page never counts them.
    listing = keyset_listing(request, notices, order=("-created_at", "-id"), counted=False)
    return render(request, "portal/notifications/list.html", {
        "listing": listing, "notices": listing.items, "unread_only": unread_only,
    })


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("portal:notifications")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notice = notification_mark_read(user=request.user, pk=pk)
    except NotFound:
        raise Http404("not found") from None
    if request.POST.get("open") and notice.link:
        request.POST = request.POST.copy()
        request.POST["next"] = notice.link
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    if count:
        marked = ngettext("已将 %(n)s 条通知标为已读。", "已将 %(n)s 条通知标为已读。", count)
        messages.success(request, marked % {"n": count})
    return redirect(_back(request))


def _settings_page(request: HttpRequest, *, form: ContactForm | None = None, verify: VerifyForm | None = None,
                   status: int = 200) -> HttpResponse:
    contact = contact_of(request.user)
    if form is None:
        form = ContactForm(initial={"email": contact.email, "mobile": contact.mobile, "email_on": contact.email_on,
                                    "sms_on": contact.sms_on, "language": contact.language})
    channels: list[dict[str, Any]] = []
    for channel, address, verified in ((Channel.EMAIL, contact.email, contact.email_verified),
                                       (Channel.SMS, contact.mobile, contact.mobile_verified)):
        if not address:
            continue
        bound = verify if verify is not None and verify.prefix == channel else None
        channels.append({
            "channel": channel, "label": Channel(channel).label, "address": mask_address(channel, address),
            "verified": verified,
            "verify": bound or VerifyForm(prefix=channel),
        })
    return render(request, "portal/notifications/settings.html", {"form": form, "channels": channels}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _settings_page(request)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact_preference_update(user=request.user, **form.cleaned_data)
        except ServiceError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("联系方式和通知偏好已保存。"))
            return redirect("portal:notification_settings")
    return _settings_page(request, form=form, status=400)


@login_required
@require_POST
def notification_verify(request: HttpRequest) -> HttpResponse:
    channel = request.POST.get("channel", "")
    if "send" in request.POST:
        try:
            contact_verification_send(user=request.user, channel=channel)
        except ServiceError as error:
            messages.error(request, refusal_text(error))
        except Exception:  # the mail server or SMS gateway refused: say so, keep the page
            log.exception("verification code to %s for user %s not sent", channel, request.user.pk)
            messages.error(request, _("验证码未能发出，请稍后再试。"))
        else:
            messages.success(request, _("验证码已发出，请查收后填写。"))
        return redirect("portal:notification_settings")
    if channel not in Channel.values:
        raise Http404("no such channel")
    verify = VerifyForm(request.POST, prefix=channel)
    if verify.is_valid():
        try:
            contact_verify(user=request.user, channel=channel, code=verify.cleaned_data["code"])
        except ServiceError as error:
            form_add_refusal(verify, error)
        else:
            messages.success(request, _("%(channel)s已验证，今后的通知将发送到这里。") % {
                "channel": Channel(channel).label})
            return redirect("portal:notification_settings")
    return _settings_page(request, verify=verify, status=400)
