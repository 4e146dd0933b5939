"""Users, their real-name data and their API tokens: the one door for each change (STYLE §The house).

A user has exactly one role; administrators (and only they) are staff and superusers, so the admin site is theirs
alone. The resident ID number is validated (POLICY §10), kept encrypted with a keyed hash for lookup
(`wrp.accounts.crypto`) and its masked form for display; audit events name the fields that changed, never the values
of personal data. An API token is shown once, when created: only its SHA-256 hash and an 8-character prefix are kept;
it expires API_TOKEN_DAYS after issue, and rotating issues a new one and revokes the old. Deactivating a user bumps
their session generation (part of the session hash, `User._get_session_auth_hash`): their sessions end for good,
and a reactivation does not revive them.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
from collections.abc import Collection
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticValidationError

from wrp.accounts import crypto
from wrp.accounts.models import ApiToken, ApplicantProfile, Role, User
from wrp.audit.services import audit_record, audited_atomic
from wrp.core.errors import Forbidden, Invalid, Message
from wrp.core.language import policy_text
from wrp.core.lookups import unique_or_none
from wrp.policy.facts import _from_pydantic as invalid_request_from_pydantic  # the policy's own messages
from wrp.policy.identifiers import mask_resident_id, normalise_resident_id, resident_id_problem
from wrp.policy.models import Applicant

TOKEN_PREFIX = "wrp_"
TOKEN_SHOWN_PREFIX = 8  # characters of the token kept in clear, to tell tokens apart in lists
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at is written at most this often per token
ID_NUMBER_TAKEN = _("该公民身份号码已登记在其他用户名下")


def _username_taken(username: str) -> Message:
    return format_lazy(_("用户名“{username}”已存在"), username=username)


def _check_actor(actor: User | None, *, may_act_for: User | None = None) -> None:
    """The system (None), an administrator, or the user concerned may make the change; nobody else."""
    if actor is None or actor.role == Role.ADMIN:
        return
    if may_act_for is not None and actor.pk == may_act_for.pk:
        return
    raise Forbidden(_("只有系统管理员或本人可以进行此操作。"), code="administrator_or_self_only")


def _role(role: str) -> Role:
    if role not in Role.values:
        message = format_lazy(_("未知角色“{role}”，可选：{choices}"), role=role, choices="、".join(Role.values))
        raise Invalid({"role": message}, codes={"role": "unknown_role"})
    return Role(role)


def _staff_flags(user: User, role: Role) -> None:
    """Administrators, and only they, enter the admin site (and may edit everything there that is editable)."""
    user.is_staff = user.is_superuser = role == Role.ADMIN


def _id_number_fields(id_number: str, *, exclude: User | None = None) -> dict[str, object]:
    """Encrypted value, keyed hash and masked form of a valid, unused resident ID number; Invalid otherwise."""
    problem = resident_id_problem(id_number)
    if problem is not None:
        raise Invalid({"id_number": policy_text(problem.zh, problem.en)}, codes={"id_number": "invalid_id_number"})
    number = normalise_resident_id(id_number)
    taken = User.objects.filter(id_number_hash__in=crypto.lookup_hashes(number, purpose=crypto.ID_NUMBER))
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise Invalid({"id_number": ID_NUMBER_TAKEN}, codes={"id_number": "taken"})
    return {
        "id_number_encrypted": crypto.encrypt(number, purpose=crypto.ID_NUMBER),
        "id_number_hash": crypto.keyed_hash(number, purpose=crypto.ID_NUMBER),
        "id_number_masked": mask_resident_id(number),
    }


def _username(username: str) -> str:
    username = username.strip()
    if not username:
        raise Invalid({"username": _("用户名不能为空")}, codes={"username": "required"})
    try:
        User.username_validator(username)
    except ValidationError:
        message = _("用户名只能包含字母、数字和 @ . + - _")
        raise Invalid({"username": message}, codes={"username": "invalid_characters"}) from None
    if len(username) > User._meta.get_field("username").max_length:
        raise Invalid({"username": _("用户名过长（最多150个字符）")}, codes={"username": "too_long"})
    if User.objects.filter(username=username).exists():
        raise Invalid({"username": _username_taken(username)}, codes={"username": "taken"})
    return username


def user_create(
    *,
    username: str,
    role: str,
    password: str | None = None,
    real_name: str = "",
    id_number: str | None = None,
    phone: str = "",
    actor: User | None = None,
) -> User:
    """Create a user with one role.

    1. Check the role, the username (free, well-formed) and the resident ID number (POLICY §10, not already used).
    2. Store the ID number encrypted, hashed and masked; the password hashed, or unusable when none is given.
    3. Administrators become staff and superusers, nobody else does.
    4. Record the creation, naming the personal fields set but not their values.
    """
    _check_actor(actor)
    checked_role = _role(role)
    username = _username(username)
    id_fields = _id_number_fields(id_number) if id_number else {}
    user = User(username=username, role=checked_role, real_name=real_name.strip(), phone=phone.strip(), **id_fields)
    _staff_flags(user, checked_role)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            changes: dict[str, object] = {"username": username, "role": checked_role.value}
            changes.update({field: "set" for field in ("real_name", "phone") if getattr(user, field)})
            if id_fields:
                changes["id_number"] = "set"
            changes["password"] = "set" if password else "unusable"
            audit_record(actor=actor, action="user.create", obj=user, changes=changes)
    except IntegrityError:
        # Two creations raced past the checks above; the constraints decided.
        if User.objects.filter(username=username).exists():
            raise Invalid({"username": _username_taken(username)}, codes={"username": "taken"}) from None
        raise Invalid({"id_number": ID_NUMBER_TAKEN}, codes={"id_number": "taken"}) from None
    return user


def user_update(
    *,
    user: User,
    actor: User | None,
    real_name: str | None = None,
    phone: str | None = None,
    role: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change a user's name, phone, role or active flag (None leaves a field as it is); administrators only."""
    _check_actor(actor)
    wanted: dict[str, object] = {}
    if real_name is not None:
        wanted["real_name"] = real_name.strip()
    if phone is not None:
        wanted["phone"] = phone.strip()
    if role is not None:
        wanted["role"] = _role(role).value
    if is_active is not None:
        wanted["is_active"] = is_active
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        changed = {field: value for field, value in wanted.items() if getattr(locked, field) != value}
        if not changed:
            return locked
        changes: dict[str, object] = {}
        for field, value in changed.items():
            personal = field in ("real_name", "phone")
            changes[field] = "changed" if personal else [getattr(locked, field), value]
            setattr(locked, field, value)
        update_fields = list(changed)
        if changed.get("is_active") is False:  # every session of the user ends, and stays ended after a reactivation
            locked.session_generation = F("session_generation") + 1
            update_fields.append("session_generation")
        if "role" in changed:
            _staff_flags(locked, Role(locked.role))
            update_fields += ["is_staff", "is_superuser"]
        locked.save(update_fields=update_fields)
        audit_record(actor=actor, action="user.update", obj=locked, changes=changes)
    if "session_generation" in update_fields:
        locked.refresh_from_db(fields=["session_generation"])
    return locked


def user_set_password(*, user: User, password: str | None, actor: User | None) -> None:
    """Set a new password, or make it unusable with None (the user then signs in by token or not at all)."""
    _check_actor(actor, may_act_for=user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if password:
            locked.set_password(password)
        else:
            locked.set_unusable_password()
        locked.save(update_fields=["password"])
        audit_record(actor=actor, action="user.set_password", obj=locked,
                     changes={"password": "changed" if password else "unusable"})
    user.password = locked.password


def user_set_id_number(*, user: User, id_number: str, actor: User | None) -> None:
    """Record or replace a user's resident ID number (validated, unused by anyone else); the user or an admin."""
    _check_actor(actor, may_act_for=user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        fields = _id_number_fields(id_number, exclude=locked)
        had_one = locked.id_number_encrypted is not None
        for field, value in fields.items():
            setattr(locked, field, value)
            setattr(user, field, value)
        try:
            with transaction.atomic():
                locked.save(update_fields=list(fields))
        except IntegrityError:
            raise Invalid({"id_number": ID_NUMBER_TAKEN}, codes={"id_number": "taken"}) from None
        audit_record(actor=actor, action="user.set_id_number", obj=locked,
                     changes={"id_number": "changed" if had_one else "set"})


def user_id_number(user: User) -> str | None:
    """The whole resident ID number, decrypted: only for the roles that need it (`selectors.id_number_shown_to`)."""
    if user.id_number_encrypted is None:
        return None
    try:
        return crypto.decrypt(user.id_number_encrypted, purpose=crypto.ID_NUMBER)
    except crypto.DecryptionFailed as failure:  # the doors answer it cleanly and alert (wrp.core.integrity)
        raise failure.about(object_type="accounts.user", object_id=user.pk) from None


def user_by_id_number(id_number: str) -> User | None:
    """The user whose resident ID number is exactly this one (after normalisation), found by its keyed hash."""
    if resident_id_problem(id_number) is not None:
        return None
    number = normalise_resident_id(id_number)
    return User.objects.filter(id_number_hash__in=crypto.lookup_hashes(number, purpose=crypto.ID_NUMBER)).first()


def user_id_numbers_rekey(*, batch: int = 500) -> int:
    """Re-encrypt and re-hash under the current key every ID number stored under a retired one; how many."""
    current = crypto.current_key_version()
    done = 0
    last_pk = 0
    while True:
        pks = list(
            User.objects.filter(pk__gt=last_pk, id_number_encrypted__isnull=False)
            .order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not pks:
            break
        last_pk = pks[-1]
        with transaction.atomic():
            for user in User.objects.select_for_update().filter(pk__in=pks).order_by("pk"):
                if crypto.key_version(user.id_number_encrypted) == current:
                    continue
                number = crypto.decrypt(user.id_number_encrypted, purpose=crypto.ID_NUMBER)
                user.id_number_encrypted = crypto.encrypt(number, purpose=crypto.ID_NUMBER)
                user.id_number_hash = crypto.keyed_hash(number, purpose=crypto.ID_NUMBER)
                user.save(update_fields=["id_number_encrypted", "id_number_hash"])
                done += 1
    if done:
        audit_record(actor=None, action="user.id_numbers_rekey", object_type="accounts.user", object_id="*",
                     changes={"count": done, "key_version": current})
    return done


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_active(user: User) -> None:
    if not user.is_active:
        message = format_lazy(_("用户“{username}”已停用"), username=user.username)
        raise Invalid({"user": message}, codes={"user": "inactive"})


def _token_new(user: User) -> tuple[str, ApiToken]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=_token_hash(raw), prefix=raw[:TOKEN_SHOWN_PREFIX],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
    )
    return raw, token


def token_issue(*, user: User, actor: User | None = None) -> tuple[str, ApiToken]:
    """A new bearer token for the user (expiring API_TOKEN_DAYS from now), returned once with its record."""
    _check_actor(actor, may_act_for=user)
    _check_active(user)
    with audited_atomic():
        raw, token = _token_new(user)
        audit_record(actor=actor, action="token.create", obj=token,
                     changes={"user": user.pk, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()})
    return raw, token


def token_create(*, user: User, actor: User | None = None) -> str:
    """A new bearer token for the user, returned once and never stored: only its hash and prefix are kept."""
    return token_issue(user=user, actor=actor)[0]


def token_rotate(*, user: User, actor: User | None = None) -> tuple[str, ApiToken]:
    """A new token for the user, and the end of every token they held (unless already revoked or expired).

    1. The user themself or an administrator; the user active.
    2. Lock and revoke the user's live tokens; issue the new one (expiring API_TOKEN_DAYS from now).
    3. Record `token.rotate` on the new token, naming the prefixes ended.
    """
    _check_actor(actor, may_act_for=user)
    _check_active(user)
    now = timezone.now()
    with audited_atomic():
        live = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
                    .order_by("pk"))
        ApiToken.objects.filter(pk__in=[token.pk for token in live]).update(revoked_at=now)
        raw, token = _token_new(user)
        audit_record(actor=actor, action="token.rotate", obj=token,
                     changes={"user": user.pk, "prefix": token.prefix, "expires_at": token.expires_at.isoformat(),
                              "ended": [old.prefix for old in live]})
    return raw, token


def token_revoke(*, token_obj: ApiToken, actor: User | None) -> None:
    """Revoke a token for good (the user it belongs to, or an administrator); revoking twice changes nothing."""
    _check_actor(actor, may_act_for=token_obj.user)
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token_obj.pk)
        if locked.revoked_at is not None:
            token_obj.revoked_at = locked.revoked_at
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="token.revoke", obj=locked,
                     changes={"user": locked.user_id, "prefix": locked.prefix})
    token_obj.revoked_at = locked.revoked_at


def user_for_token(raw: str) -> User | None:
    """The active user a live token belongs to, or None (unknown, revoked, expired, or the user deactivated)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    digest = _token_hash(raw)
    token = unique_or_none(ApiToken.objects.select_related("user").filter(key_hash=digest))
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        return None
    now = timezone.now()
    if token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# ---------------------------------------------------------------------------------------------------------------------
# The applicant's profile

PROFILE_SYSTEM_FIELDS = ("permit",)  # kept by the system (contracts/cases-api.md §Applicants and associations)
_ABSENT = object()


def _profile_problems(facts: Any) -> dict[str, Message]:
    """Every bad field of a profile, by its path relative to the profile ("hukou", "children.0.case")."""
    if not isinstance(facts, dict):
        return {"body": _("资料应为对象")}
    problems: dict[str, Message] = {
        field: _("该项由系统维护，不能提交") for field in PROFILE_SYSTEM_FIELDS if field in facts
    }
    try:
        Applicant.model_validate({key: value for key, value in facts.items() if key not in PROFILE_SYSTEM_FIELDS})
    except PydanticValidationError as error:
        invalid = invalid_request_from_pydantic(error)  # the policy's own (zh, en) messages
        zh, en = invalid.messages("zh"), invalid.messages("en")
        problems.update({path: policy_text(zh[path], en[path]) for path in zh})
    return problems


def _profile_merged(old: dict[str, Any], new: dict[str, Any], replacing: Collection[tuple[str, ...]]) -> dict[str, Any]:
    """The stored facts with the parts in `replacing` taken from `new` (absent there: removed), nothing else."""
    merged = copy.deepcopy(old)
    for fact, *year in replacing:
        if not year:
            merged.pop(fact, None)
            if fact in new:
                merged[fact] = new[fact]
            continue
        years = dict(merged[fact]) if isinstance(merged.get(fact), dict) else {}
        years.pop(year[0], None)
        value = (new.get(fact) or {}).get(year[0])
        if value is not None:
            years[year[0]] = value
        if years:
            merged[fact] = years
        elif isinstance(merged.get(fact), dict):
            del merged[fact]
    return merged


def profile_save(*, user: User, facts: Any, actor: User | None,
                 replacing: Collection[tuple[str, ...]] | None = None) -> ApplicantProfile:
    """Replace an applicant's profile, or the parts of it a form asked about: the applicant facts of
    contracts/assessment.md except `permit`.

    1. The applicant themself (or an administrator, or the system) saves it; other roles have no profile.
    2. The facts are checked against the policy's `Applicant` model: every bad field named at once, `permit` refused.
    3. They are stored as the policy reads them (dates ISO, amounts decimal strings); a fact left out stays absent,
       which the policy tells apart from null (an open-ended `contract_end`). With `replacing` — the parts a form
       asked: a fact (`("housing",)`) or one year of a yearly fact (`("taxable_income_by_year", "2024")`) — only
       those parts are replaced (a part left out of `facts` becomes absent) and every other stored fact is kept: a
       page that does not ask a fact never clears it. Without, `facts` is the whole profile (the API's PUT).
    4. Record the fields that changed, never their values.
    """
    _check_actor(actor, may_act_for=user)
    if user.role != Role.APPLICANT:
        raise Forbidden(_("只有申请人有个人资料。"), code="applicants_only")
    problems = _profile_problems(facts)
    if problems:
        raise Invalid(problems)
    stored = Applicant.model_validate(facts).model_dump(mode="json", exclude_unset=True)
    with transaction.atomic():
        profile, created = ApplicantProfile.objects.select_for_update().get_or_create(user=user)
        old = {} if created else dict(profile.facts)
        stored = stored if replacing is None else _profile_merged(old, stored, replacing)
        profile.facts = stored
        profile.save(update_fields=["facts", "updated_at"])
        changed = sorted(key for key in {*old, *stored} if old.get(key, _ABSENT) != stored.get(key, _ABSENT))
        audit_record(actor=actor, action="profile.save", obj=profile,
                     changes={"created": created, "fields": changed})
    return profile

