"""The pages of getting an account (wrp.accounts.registration): register as an applicant or a unit handler, and reset
a forgotten password, each with the one-time codes sent to the person's mobile and e-mail.

/register/ chooses the role; /register/<role>/ asks who the person is and where to reach them and sends the codes;
/register/verify/ takes the codes, the username and the password, creates the account and signs the person in, to
their own landing page. /password/reset/ asks for the account and sends a code; /password/reset/code/ takes it with the
new password. The ID number and the passwords travel only in POST bodies (never in a URL), and error reports hide them.
"""

from __future__ import annotations

import re
from math import ceil

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from wrp.accounts.codes import CodeNotSent, CodesLimited
from wrp.accounts.models import Role
from wrp.accounts.registration import (
    NothingPending,
    password_reset_complete,
    password_reset_pending,
    password_reset_start,
    registration_complete,
    registration_pending,
    registration_resend,
    registration_start,
)
from wrp.core.clientaddr import client_address
from wrp.core.errors import Invalid, ServiceError
from wrp.core.language import page_language, policy_text
from wrp.policy.identifiers import resident_id_problem

ROLES = {"applicant": Role.APPLICANT, "unit-handler": Role.UNIT_HANDLER}  # the role's part of /register/<role>/
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LOCAL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _code_field(label: object) -> forms.CharField:
    return forms.CharField(label=label, max_length=6, min_length=6, help_text=gettext_lazy("收到的 6 位数字。"),
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


def _digits(value: str) -> str:
    code = value.strip()
    if not code.isdigit():
        raise forms.ValidationError(_("验证码是 6 位数字。"), code="bad_code")
    return code


class NewPasswordForm(forms.Form):
    password1 = forms.CharField(label=gettext_lazy("密码"), strip=False,
                                help_text=gettext_lazy("至少 10 位；不能全是数字，不能过于常见，也不能与用户名或姓名相似。"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=gettext_lazy("再次输入密码"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class RegisterForm(forms.Form):
    real_name = forms.CharField(label=gettext_lazy("姓名"), max_length=100,
                                help_text=gettext_lazy("与居民身份证上的姓名一致。"),
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label=gettext_lazy("居民身份证号"), max_length=30,
                                help_text=gettext_lazy("18 位，最后一位可能是 X。一人只能注册一个账户。"),
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    mobile = forms.CharField(label=gettext_lazy("手机号码"), max_length=20,
                             help_text=gettext_lazy("11 位中国大陆手机号码，将收到短信验证码。"),
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=gettext_lazy("电子邮箱"), max_length=254,
                             help_text=gettext_lazy("将收到邮件验证码，以后也用于接收办理通知。"),
                             error_messages={"invalid": gettext_lazy("请填写有效的电子邮箱地址，例如 name@example.com。")},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def clean_id_number(self) -> str:
        problem = resident_id_problem(self.cleaned_data["id_number"])
        if problem is not None:
            raise forms.ValidationError(str(policy_text(problem.zh, problem.en)), code="invalid_id_number")
        return self.cleaned_data["id_number"]

    def clean_mobile(self) -> str:
        mobile = re.sub(r"[\s-]", "", self.cleaned_data["mobile"])
        if not MOBILE.match(mobile):
            raise forms.ValidationError(_("请填写 11 位手机号码，例如 13800138000。"), code="bad_mobile")
        return mobile

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class VerifyForm(NewPasswordForm):
    code_sms = _code_field(gettext_lazy("短信验证码"))
    code_email = _code_field(gettext_lazy("邮件验证码"))
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150,
                               help_text=gettext_lazy("登录时使用：字母、数字和 @ . + - _。"),
                               widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false",
                                                             "autocapitalize": "off"}))
    field_order = ("code_sms", "code_email", "username", "password1", "password2")

    def clean_code_sms(self) -> str:
        return _digits(self.cleaned_data["code_sms"])

    def clean_code_email(self) -> str:
        return _digits(self.cleaned_data["code_email"])


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(label=gettext_lazy("用户名、手机号码或电子邮箱"), max_length=254,
                                 help_text=gettext_lazy("多个账户使用同一手机号码或邮箱时，请填写用户名。"),
                                 widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false",
                                                               "autocapitalize": "off"}))


class ResetForm(NewPasswordForm):
    code = _code_field(gettext_lazy("验证码"))
    field_order = ("code", "password1", "password2")

    def clean_code(self) -> str:
        return _digits(self.cleaned_data["code"])


def _refusal(form: forms.Form, error: ServiceError) -> int:
    """Put a refusal next to its field (the service's `password` is the form's `password1`), or on top; the status."""
    if isinstance(error, Invalid):
        for name, message in error.messages().items():
            field = "password1" if name == "password" else name
            refusal = forms.ValidationError(message, code=error.codes.get(name, "invalid"))
            form.add_error(field if field in form.fields else None, refusal)
        return 422
    if isinstance(error, CodesLimited):
        minutes = max(1, ceil(error.retry_after / 60))
        form.add_error(None, _("发送验证码过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": minutes})
        return 429
    form.add_error(None, str(error))
    return 503 if isinstance(error, CodeNotSent) else 422


def _signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated)


# --- registration -------------------------------------------------------------------------------------------------------


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """Who registers: an applicant or a unit's handler (staff accounts come from the administrator)."""
    if _signed_in(request):
        return redirect("accounts:landing")
    return render(request, "registration/register.html", {"pending": registration_pending(request.session)})


@never_cache
@sensitive_post_parameters("id_number")
@require_http_methods(["GET", "POST"])
def register_details(request: HttpRequest, who: str) -> HttpResponse:
    """Step 1: name, ID number, mobile, e-mail; the codes go out and the verify step follows."""
    role = ROLES.get(who)
    if role is None:
        raise Http404("role")
    if _signed_in(request):
        return redirect("accounts:landing")
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                registration_start(session=request.session, client=client_address(request), role=role,
                                   language=page_language(), **form.cleaned_data)
            except ServiceError as error:
                status = _refusal(form, error)
            else:
                return redirect("accounts:register_verify")
    registered = "id_number" in form.errors and any(
        error.code == "registered" for error in form.errors.as_data()["id_number"])
    return render(request, "registration/register_form.html",
                  {"form": form, "role": role, "who": who, "id_registered": registered}, status=status)


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the two codes, the username and the password; the account is made and the person signed in."""
    pending = registration_pending(request.session)
    if pending is None:
        messages.info(request, _("请先填写注册信息。"))
        return redirect("accounts:register")
    form = VerifyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = registration_complete(session=request.session, username=data["username"],
                                             password=data["password1"],
                                             codes={"sms": data["code_sms"], "email": data["code_email"]})
            except NothingPending:
                return redirect("accounts:register")
            except ServiceError as error:
                status = _refusal(form, error)
                pending = registration_pending(request.session) or pending
            else:
                login(request, user, backend=LOCAL_BACKEND)
                messages.success(request, _("注册成功，欢迎使用。您的手机号码和电子邮箱已验证，将用于接收办理通知。"))
                return redirect("accounts:landing")
    return render(request, "registration/register_verify.html", {"form": form, "pending": pending}, status=status)


@never_cache
@require_POST
def register_resend(request: HttpRequest) -> HttpResponse:
    try:
        registration_resend(session=request.session, client=client_address(request))
    except NothingPending:
        return redirect("accounts:register")
    except CodesLimited as error:
        minutes = max(1, ceil(error.retry_after / 60))
        messages.error(request, _("发送验证码过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": minutes})
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已重新发送验证码，之前的验证码作废。"))
    return redirect("accounts:register_verify")


# --- password reset -----------------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Which account: by username, mobile or e-mail; a code goes to its verified addresses (if it exists)."""
    form = ResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                password_reset_start(session=request.session, client=client_address(request),
                                     identifier=form.cleaned_data["identifier"], language=page_language())
            except ServiceError as error:
                status = _refusal(form, error)
            else:
                return redirect("accounts:password_reset_confirm")
    return render(request, "registration/password_reset.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    """The code and the new password; every session of the account ends."""
    if not password_reset_pending(request.session):
        return redirect("accounts:password_reset")
    form = ResetForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                password_reset_complete(session=request.session, code=form.cleaned_data["code"],
                                        password=form.cleaned_data["password1"])
            except NothingPending as error:
                messages.error(request, str(error))
                return redirect("accounts:password_reset")
            except ServiceError as error:
                status = _refusal(form, error)
            else:
                messages.success(request, _("密码已重新设置，此前登录的会话均已退出。请用新密码登录。"))
                return redirect("accounts:login")
    return render(request, "registration/password_reset_code.html", {"form": form}, status=status)
