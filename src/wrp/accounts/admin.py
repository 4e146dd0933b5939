"""The admin site, for administrators only: users and roles here; every change goes through the services.

The site admits active users whose role is `admin` (user_create makes them staff; nobody else is). A user's resident
ID number is never shown whole: the form has an empty field to record a new one (`user_set_id_number`) next to the
masked value. Tokens and applicant profiles are read-only; a token can only be revoked (`token_revoke`).
`ReadOnlyAdmin` is the base of every model the admin may look at but not change (cases, permits, quotas, …).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrp.accounts.devices import second_factor_required, second_factor_reset, session_verified
from wrp.accounts.models import ApiToken, ApplicantProfile, Role, User
from wrp.accounts.services import (
    token_revoke,
    user_by_id_number,
    user_create,
    user_set_id_number,
    user_set_password,
    user_update,
)
from wrp.core.errors import Invalid, ServiceError
from wrp.core.language import policy_text
from wrp.policy.identifiers import resident_id_problem


def administrators_only(request: HttpRequest) -> bool:
    """The admin site's door: an active administrator (the role, not just the staff flag)."""
    user = request.user
    if second_factor_required(user) and not session_verified(user):
        return False  # the middleware sends them to the code step first; this is the second lock
    return bool(user.is_active and user.is_staff and getattr(user, "role", None) == Role.ADMIN)


admin.site.has_permission = administrators_only  # type: ignore[method-assign]
admin.site.site_header = _("工作居住证服务平台 · 系统管理")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: decisions are taken by the services alone, and these records are theirs."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.get_fields() if field.concrete]


class UserForm(forms.ModelForm):
    """Name, phone, role and active flag as on the model; a new password and a new ID number, both optional."""

    new_password = forms.CharField(
        label=_("新密码"), required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("留空则不修改；新建用户不填密码则只能使用接口令牌。"),
    )
    new_id_number = forms.CharField(
        label=_("登记身份证号"), required=False, max_length=40,
        help_text=_("留空则不修改。身份证号加密保存，此处不显示原值。"),
    )

    class Meta:
        model = User
        fields = ("username", "real_name", "phone", "role", "is_active")

    def clean_new_id_number(self) -> str:
        value = self.cleaned_data["new_id_number"].strip()
        if value:
            problem = resident_id_problem(value)
            if problem is not None:
                raise ValidationError(policy_text(problem.zh, problem.en))
            holder = user_by_id_number(value)
            if holder is not None and holder.pk != self.instance.pk:
                raise ValidationError(_("该公民身份号码已登记在其他用户名下"))
        return value

    def clean_new_password(self) -> str:
        value = self.cleaned_data["new_password"]
        if value:
            validate_password(value, self.instance if self.instance.pk else None)
        return value


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserForm
    list_display = ("username", "real_name", "role", "id_number_masked", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "real_name")
    ordering = ("username",)
    readonly_fields = ("id_number_masked", "last_login", "date_joined")
    actions = ("reset_second_factor",)

    def has_otp_reset_permission(self, request: HttpRequest) -> bool:
        return administrators_only(request)

    @admin.action(description=_("重置动态验证码（下次登录时重新绑定）"), permissions=["otp_reset"])
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Another administrator's reset (never one's own): the user binds an authenticator again at next sign-in."""
        done = []
        for user in queryset.order_by("username"):
            try:
                second_factor_reset(user=user, actor=request.user)
            except ServiceError as refused:
                self.message_user(request, f"{user.username}: {refused}", level=messages.ERROR)
            else:
                done.append(user.username)
        if done:
            self.message_user(request, _("已重置动态验证码：%(users)s") % {"users": "、".join(done)},
                              level=messages.SUCCESS)

    def get_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        fields = ["username", "real_name", "phone", "role", "is_active", "new_password"]
        if obj is not None:
            fields += ["id_number_masked"]
        fields += ["new_id_number"]
        if obj is not None:
            fields += ["last_login", "date_joined"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly.append("username")  # a username is an identity: it does not change
        return readonly

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # users are deactivated, never deleted: the audit trail and the cases point at them

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        """A whole resident ID number typed in the search box finds its user by the keyed hash."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        match = user_by_id_number(search_term) if search_term else None
        if match is not None:
            results = results | queryset.filter(pk=match.pk)
        return results, duplicates

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if change:
                    saved = self._change(request.user, obj, data)
                else:
                    saved = user_create(
                        username=data["username"], role=data["role"], password=data["new_password"] or None,
                        real_name=data["real_name"], id_number=data["new_id_number"] or None, phone=data["phone"],
                        actor=request.user,
                    )
                    if not data["is_active"]:
                        saved = user_update(user=saved, actor=request.user, is_active=False)
        except ServiceError as error:
            # The form's checks ran first: this is a race (username or ID number taken meanwhile) or a refusal.
            raise _Refused(error) from error
        # The admin goes on with `obj` (messages, log entry, redirect): make it the saved user.
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def _change(self, actor: Any, obj: User, data: dict[str, Any]) -> User:
        user = user_update(
            user=obj, actor=actor, real_name=data["real_name"], phone=data["phone"], role=data["role"],
            is_active=data["is_active"],
        )
        if data["new_password"]:
            user_set_password(user=user, password=data["new_password"], actor=actor)
        if data["new_id_number"]:
            user_set_id_number(user=user, id_number=data["new_id_number"], actor=actor)
        return User.objects.get(pk=user.pk)

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().changeform_view(request, *args, **kwargs)
        except _Refused as refused:
            self.message_user(request, _refusal_text(refused.error), level=messages.ERROR)
            return _redirect_back(request)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        pass  # no relations are edited here (groups and permissions follow the role)


class _Refused(Exception):
    def __init__(self, error: ServiceError) -> None:
        super().__init__(str(error))
        self.error = error


def _refusal_text(error: ServiceError) -> str:
    if isinstance(error, Invalid):
        return "；".join(f"{field}: {reason}" for field, reason in error.messages().items())
    return str(error)


def _redirect_back(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(request.get_full_path())


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("prefix", "user__username")
    actions = ("revoke",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]  # never the hash

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.get_readonly_fields(request, obj)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return administrators_only(request)

    @admin.action(description=_("吊销所选令牌"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            token_revoke(token_obj=token, actor=request.user)
            count += 1
        revoked = ngettext("已吊销 %(count)d 个令牌", "已吊销 %(count)d 个令牌", count)
        self.message_user(request, revoked % {"count": count}, level=messages.SUCCESS)


# django-otp's own admin pages would show and change secrets outside the services: devices are reset above instead.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(ApplicantProfile)
class ApplicantProfileAdmin(ReadOnlyAdmin):
    list_display = ("user", "updated_at")
    search_fields = ("user__username", "user__real_name")
