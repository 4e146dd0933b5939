"""The centre's forms: contact details and channel choices, and the verification code (shape only; rules in
`wrp.notifications.services`)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wrp.notifications.models import Language

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class ContactForm(forms.Form):
    email = forms.EmailField(label=_("电子邮箱"), required=False, max_length=254,
                             error_messages={"invalid": _("请填写有效的电子邮箱地址，例如 name@example.com。")},
                             help_text=_("修改后需要重新验证，验证前不会向新邮箱发送通知。"),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    mobile = forms.CharField(label=_("手机号码"), required=False, max_length=20,
                             help_text=_("11 位中国大陆手机号码。修改后需要重新验证。"),
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email_on = forms.BooleanField(label=_("通过电子邮件接收通知"), required=False)
    sms_on = forms.BooleanField(label=_("通过短信接收通知"), required=False)
    language = forms.ChoiceField(label=_("通知语言"), choices=Language.choices, widget=forms.RadioSelect,
                                 help_text=_("电子邮件和短信使用的语言。"))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_mobile(self) -> str:
        mobile = re.sub(r"[\s-]", "", self.cleaned_data["mobile"])
        if mobile and not MOBILE.match(mobile):
            raise ValidationError(_("请填写 11 位手机号码，例如 13800138000。"), code="bad_mobile")
        return mobile


class VerifyForm(forms.Form):
    """The code sent to one address; the form's prefix is the channel (the page holds one per unverified address)."""

    code = forms.CharField(label=_("验证码"), max_length=6, min_length=6,
                           help_text=_("收到的 6 位数字。"),
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError(_("验证码是 6 位数字。"), code="bad_code")
        return code
