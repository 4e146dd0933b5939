"""The second-factor pages of staff: the code step after the password, enrolment of an authenticator app, and the
recovery codes (shown once, and regenerated on request). The rules are in wrp.accounts.devices; the middleware
(wrp.accounts.middleware) sends staff here until their session is verified.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from wrp.accounts.devices import (
    RECOVERY_CODE_COUNT,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_enrol,
    second_factor_enrolled,
    second_factor_required,
    second_factor_verify,
    session_verified,
    session_verify,
    totp_device_pending,
    totp_qr_svg,
    totp_secret_text,
)
from wrp.core.errors import Invalid

FRESH_CODES = "wrp_otp_fresh_recovery_codes"  # session key: the new recovery codes until the page shows them once


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("动态验证码"), max_length=40, strip=True,
        help_text=_("验证器应用显示的6位数字，或一个恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false",
                                      "autocapitalize": "off"}),
    )


class FirstCodeForm(CodeForm):
    code = forms.CharField(
        label=_("动态验证码"), max_length=10, strip=True,
        help_text=_("扫码或输入密钥后，验证器应用显示的6位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]{6,7}", "spellcheck": "false"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _with_next(url: str, request: HttpRequest) -> str:
    target = _next(request)
    return f"{url}?{urlencode({'next': target})}" if target else url


def _onward(request: HttpRequest) -> HttpResponse:
    return redirect(_next(request) or "accounts:landing")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The code step (动态验证码) after the password: an authenticator code or a recovery code."""
    user = request.user
    if not second_factor_required(user) or session_verified(user):
        return _onward(request)
    if not second_factor_enrolled(user):  # type: ignore[arg-type]
        return redirect(_with_next(reverse("accounts:otp_enrol"), request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_verify(user=user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except Invalid as refused:
            form.add_error("code", refused.messages()["code"])
        else:
            session_verify(request, device)
            return _onward(request)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: its QR code and secret, confirmed with a first code; then the recovery codes."""
    user = request.user
    if not second_factor_required(user) or session_verified(user):
        return _onward(request)
    if second_factor_enrolled(user):  # type: ignore[arg-type]
        return redirect("accounts:otp_verify")  # a second app is never added with the password alone
    device = totp_device_pending(user=user)  # type: ignore[arg-type]
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor_enrol(device=device, code=form.cleaned_data["code"])
        except Invalid as refused:
            form.add_error("code", refused.messages()["code"])
        else:
            session_verify(request, device)
            request.session[FRESH_CODES] = codes
            return redirect(_with_next(reverse("accounts:otp_recovery_codes"), request))
    return render(request, "accounts/otp_enrol.html", {
        "form": form, "next": _next(request), "qr_svg": totp_qr_svg(device), "secret": totp_secret_text(device),
    })


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes are shown here once; otherwise how many are left, and a button for ten new ones."""
    user = request.user
    if not second_factor_required(user):
        return redirect("accounts:landing")
    if request.method == "POST":
        request.session[FRESH_CODES] = recovery_codes_regenerate(user=user)  # type: ignore[arg-type]
        return redirect("accounts:otp_recovery_codes")
    fresh = request.session.pop(FRESH_CODES, None)
    return render(request, "accounts/otp_recovery_codes.html", {
        "codes": fresh, "left": recovery_codes_left(user), "count": RECOVERY_CODE_COUNT,  # type: ignore[arg-type]
        "next": _next(request),
    })
