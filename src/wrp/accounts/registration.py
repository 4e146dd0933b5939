"""Getting an account without an administrator: applicants and unit handlers register themselves, and reset a
forgotten password, each time proving their addresses with a one-time code.

Registration is two steps and writes nothing until the second one succeeds:

1. `registration_start`: who the person is (name, resident ID number, role) and where to reach them (mobile, e-mail).
   The ID number must be valid and not registered yet — one person, one account; an already registered one is told
   to reset the password instead. A six-digit code goes to the mobile by SMS and another to the e-mail address. The
   pending registration lives in the server-side session: the ID number encrypted (wrp.accounts.crypto), each code
   only as a keyed hash.
2. `registration_complete`: both codes, within CODE_VALID of sending, with at most CODE_TRIES wrong tries (then the
   codes are void and new ones must be sent); a username and a password (Django's validators). The account is created
   by `user_create`, its two addresses recorded as verified, and the registration audited, in one transaction. The
   password is chosen at this step, so it never waits in the session.

Password reset (`password_reset_start`, `password_reset_complete`): the username, or a verified mobile or e-mail of
an applicant or a unit handler, gets one code at every verified address of the account; that code and a new password
set the password, which ends every session of the account (the session hash covers the password hash). The answer to
a request never says whether the account exists. Staff passwords are the administrator's to reset.

The codes — how they are made, sent through the notification channels, checked and limited — are wrp.accounts.codes.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.accounts import crypto
from wrp.accounts.codes import (
    CHANNELS,
    CODE_VALID,
    EMAIL,
    SMS,
    code_hash,
    code_limit,
    code_send,
    code_text,
    codes_check,
    codes_forget,
    codes_issue,
    contact_channels,
    new_code,
    new_nonce,
    now,
)
from wrp.accounts.models import Role, User
from wrp.accounts.services import _username, user_by_id_number, user_create
from wrp.audit.services import audit_record
from wrp.core.errors import Invalid, ServiceError
from wrp.core.language import policy_text
from wrp.core.ratelimit import limit_hit
from wrp.policy.identifiers import mask_resident_id, normalise_resident_id, resident_id_problem

SELF_SERVICE_ROLES = (Role.APPLICANT, Role.UNIT_HANDLER)
REGISTRATION = "wrp_registration"  # session keys
PASSWORD_RESET = "wrp_password_reset"
ID_NUMBER_REGISTERED = _("该身份证号已注册账户，一人只能注册一个账户。如忘记用户名或密码，请通过“找回密码”重新设置。")


class NothingPending(ServiceError):
    default_code = "nothing_pending"
    default_message = _("注册信息已失效，请重新填写。")


# --- registration -------------------------------------------------------------------------------------------------------

REGISTRATION_MESSAGE = _("注册验证码：%(code)s（30 分钟内有效，请勿告诉他人）")
RESET_MESSAGE = _("找回密码验证码：%(code)s（30 分钟内有效，请勿告诉他人）")
CODE_FIELDS = {SMS: "code_sms", EMAIL: "code_email"}


@dataclass(frozen=True)
class Pending:
    """What the pages show of a pending registration: never the ID number whole."""

    role: str
    real_name: str
    id_number_masked: str
    mobile: str
    email: str
    expires_at: datetime
    codes_void: bool


def _pending_view(pending: dict[str, Any]) -> Pending:
    return Pending(
        role=pending["role"], real_name=pending["real_name"], id_number_masked=pending["id_number_masked"],
        mobile=pending["mobile"], email=pending["email"],
        expires_at=datetime.fromtimestamp(pending["issued"], tz=timezone.get_current_timezone()) + CODE_VALID,
        codes_void=not pending.get("nonce"),
    )


def registration_pending(session: SessionBase) -> Pending | None:
    pending = session.get(REGISTRATION)
    return _pending_view(pending) if pending else None


def _identity_checked(*, role: str, real_name: str, id_number: str, mobile: str, email: str) -> str:
    """The normalised ID number of a person who may register; Invalid naming every problem otherwise."""
    problems: dict[str, Any] = {}
    codes: dict[str, str] = {}
    if role not in SELF_SERVICE_ROLES:
        problems["role"], codes["role"] = _("只有申请人和单位经办人可以自行注册。"), "not_self_service"
    if not real_name.strip():
        problems["real_name"], codes["real_name"] = _("请填写姓名。"), "required"
    for name, value in (("mobile", mobile), ("email", email)):
        if not value:
            problems[name], codes[name] = _("请填写此项。"), "required"
    problem = resident_id_problem(id_number)
    if problem is not None:
        problems["id_number"], codes["id_number"] = policy_text(problem.zh, problem.en), "invalid_id_number"
    elif user_by_id_number(id_number) is not None:
        problems["id_number"], codes["id_number"] = ID_NUMBER_REGISTERED, "registered"
    if problems:
        raise Invalid(problems, codes=codes)
    return normalise_resident_id(id_number)


def registration_start(*, session: SessionBase, client: str, role: str, real_name: str, id_number: str, mobile: str,
                       email: str, language: str) -> Pending:
    """Check who registers and send a code to their mobile and their e-mail; the registration waits in the session.

    1. One more try from this client (RATE_LIMIT_CODE_CLIENT), before anything is looked up.
    2. The role is one people choose themselves; the ID number valid and not registered (one person, one account).
    3. Each address may receive another code (RATE_LIMIT_CODE_ADDRESS); a code goes to each.
    4. The session keeps the registration: the ID number encrypted, the codes as keyed hashes.
    """
    code_limit("client", client, settings.RATE_LIMIT_CODE_CLIENT)
    number = _identity_checked(role=role, real_name=real_name, id_number=id_number, mobile=mobile, email=email)
    addresses = {SMS: mobile, EMAIL: email}
    for channel, address in addresses.items():
        code_limit(channel, address, settings.RATE_LIMIT_CODE_ADDRESS)
    issued = codes_issue(addresses, message=REGISTRATION_MESSAGE, language=language)
    old = session.get(REGISTRATION)
    if old:
        codes_forget(old)
    pending = {
        "role": role, "real_name": real_name.strip(), "mobile": mobile, "email": email, "language": language,
        "id_number": base64.b64encode(crypto.encrypt(number, purpose=crypto.ID_NUMBER)).decode(),
        "id_number_masked": mask_resident_id(number), **issued,
    }
    session[REGISTRATION] = pending
    return _pending_view(pending)


def registration_resend(*, session: SessionBase, client: str) -> Pending:
    """New codes for the pending registration (the old ones void), within the same limits as the first ones."""
    pending = session.get(REGISTRATION)
    if not pending:
        raise NothingPending()
    code_limit("client", client, settings.RATE_LIMIT_CODE_CLIENT)
    addresses = {SMS: pending["mobile"], EMAIL: pending["email"]}
    for channel, address in addresses.items():
        code_limit(channel, address, settings.RATE_LIMIT_CODE_ADDRESS)
    issued = codes_issue(addresses, message=REGISTRATION_MESSAGE, language=pending["language"])
    codes_forget(pending)
    pending.update(issued)
    session[REGISTRATION] = pending
    return _pending_view(pending)


def _password_checked(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise Invalid({"password": "".join(error.messages)}, codes={"password": "weak_password"}) from None


def registration_complete(*, session: SessionBase, codes: dict[str, str], username: str, password: str) -> User:
    """Create the account of the pending registration once both codes are right.

    1. The username free and well-formed, the password good enough (checked before the codes: no try is spent).
    2. Both codes right, in time, within CODE_TRIES wrong tries.
    3. In one transaction: the user (`user_create`: ID number encrypted, audit `user.create`), the two addresses
       recorded as verified, and `user.register`. A refusal there (the ID number or the username taken meanwhile)
       writes nothing.
    4. The pending registration leaves the session.
    """
    pending = session.get(REGISTRATION)
    if not pending:
        raise NothingPending()
    problems: dict[str, Any] = {}
    try:
        username = _username(username)
    except Invalid as invalid:
        problems.update(invalid.fields)
    try:
        _password_checked(password, User(username=username, email=pending["email"], first_name=pending["real_name"]))
    except Invalid as invalid:
        problems.update(invalid.fields)
    if problems:
        raise Invalid(problems)
    try:
        codes_check(pending, codes, field=CODE_FIELDS)
    finally:
        session[REGISTRATION] = pending  # a void set of codes stays void
    id_number = crypto.decrypt(base64.b64decode(pending["id_number"]), purpose=crypto.ID_NUMBER)
    with transaction.atomic():
        user = user_create(username=username, role=pending["role"], password=password,
                           real_name=pending["real_name"], id_number=id_number, phone=pending["mobile"])
        contact_channels().contacts_record(user=user, email=pending["email"], mobile=pending["mobile"],
                                            language=pending["language"])
        audit_record(actor=user, action="user.register", obj=user,
                     changes={"role": user.role, "verified": list(CHANNELS)})
    codes_forget(pending)
    del session[REGISTRATION]
    return user


# --- password reset ------------------------------------------------------------------------------------------------------


def _reset_account(identifier: str) -> User | None:
    """The applicant or unit handler named by username, or the only one with this verified mobile or e-mail."""
    accounts = User.objects.filter(is_active=True, role__in=SELF_SERVICE_ROLES)
    user = accounts.filter(username=identifier).first()
    if user is not None:
        return user
    channel = EMAIL if "@" in identifier else SMS
    address = identifier.lower() if channel == EMAIL else identifier.replace(" ", "").replace("-", "")
    ids = contact_channels().users_verified_at(channel=channel, address=address)
    matches = list(accounts.filter(pk__in=ids)[:2])
    return matches[0] if len(matches) == 1 else None


def password_reset_start(*, session: SessionBase, client: str, identifier: str, language: str) -> None:
    """Send a reset code to every verified address of the account named, if there is one; say nothing either way.

    1. One more try from this client (RATE_LIMIT_CODE_CLIENT).
    2. The account: an active applicant or unit handler, by username or by its verified mobile or e-mail.
    3. One code, to each of its verified addresses that may receive another (RATE_LIMIT_CODE_ADDRESS).
    4. The session keeps the account and the code's keyed hash — for an unknown account, a code no one has, so the
       next step looks the same.
    """
    code_limit("client", client, settings.RATE_LIMIT_CODE_CLIENT)
    user = _reset_account(identifier.strip()) if identifier.strip() else None
    addresses = contact_channels().verified_addresses(user) if user is not None else {}
    reachable = {channel: address for channel, address in addresses.items()
                 if limit_hit(f"account-code:{channel}", address, rate=settings.RATE_LIMIT_CODE_ADDRESS).allowed}
    old = session.get(PASSWORD_RESET)
    if old:
        codes_forget(old)
    nonce = new_nonce()
    pending: dict[str, Any] = {"user": None, "nonce": nonce, "issued": now(),
                               "codes": {"reset": code_hash(nonce, "reset", new_nonce())}}
    if user is not None and reachable:
        code = new_code()
        text = code_text(RESET_MESSAGE, code, language=language)
        for channel, address in reachable.items():
            code_send(channel, address, text)
        pending.update(user=user.pk, codes={"reset": code_hash(nonce, "reset", code)})
    session[PASSWORD_RESET] = pending


def password_reset_pending(session: SessionBase) -> bool:
    return bool(session.get(PASSWORD_RESET))


def password_reset_complete(*, session: SessionBase, code: str, password: str) -> User:
    """Set the new password of the account the code was sent for; every session of the account ends.

    1. The code right, in time, within CODE_TRIES wrong tries (a code of an unknown account is never right).
    2. The password good enough for the account (Django's validators).
    3. Lock the user, set the password (the session hash changes: every session signed in before ends), audit
       `user.password_reset`. 4. The pending reset leaves the session.
    """
    pending = session.get(PASSWORD_RESET)
    if not pending:
        raise NothingPending(_("请先获取验证码。"), code="nothing_pending")
    try:
        codes_check(pending, {"reset": code}, field={"reset": "code"})
    finally:
        session[PASSWORD_RESET] = pending
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending["user"] else None
    if user is None:  # the account went away (or never was: the code above cannot match then)
        raise NothingPending(_("请先获取验证码。"), code="nothing_pending")
    _password_checked(password, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        audit_record(actor=locked, action="user.password_reset", obj=locked,
                     changes={"password": "changed", "proved_by": "one_time_code"})
    codes_forget(pending)
    del session[PASSWORD_RESET]
    return locked
