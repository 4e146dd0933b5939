"""State changes of permits (DESIGN.md §Permit lifecycle, POLICY §9).

valid → suspended (the unit releases the holder) → valid (employer_change approved); valid/suspended → expired (the
daily sweep, once valid_until has passed); any → revoked (bureau decision). Issue, transfer, extension (renewal) and
children are the effects of approved cases, applied by the staff member who approves them inside the case's
transaction. Every change locks the permit row, writes a PermitEvent and an audit event. Issue, transfer, extension
and new children issue a new certificate (`permit_certificate_issue`), numbered and stored as a record that supersedes
the one before (POLICY §11 L-RECORD).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.audit.services import audit_record
from wrp.core.errors import Forbidden, Invalid, InvalidState, Message, NotFound
from wrp.core.events import emit
from wrp.documents.issuing import document_issue
from wrp.documents.models import IssuedDocument
from wrp.permits.models import Permit, PermitChild, PermitEvent, PermitStatus
from wrp.permits.printouts import certificate
from wrp.permits.selectors import can_see_permit
from wrp.permits.sweep import permits_expire_setwise
from wrp.policy.codes import ChildCase
from wrp.policy.periods import add_years
from wrp.units.models import Unit
from wrp.units.selectors import is_handler, is_staff

NUMBER_PREFIX = "WRP"
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
NUMBER_LENGTH = 12
VALIDITY_YEARS = 3  # 京政办发〔2003〕29号: 有效期三年，期满可续
CURRENT_STATUSES = (PermitStatus.VALID, PermitStatus.SUSPENDED)
_CHILD_CASES = frozenset(case.value for case in ChildCase)
CERTIFICATE = "certificate"


def _require(actor: Any, permit: Permit, *, allowed: bool) -> None:
    """Let the action through if allowed; else Forbidden to those who see the permit, NotFound to the rest."""
    if allowed:
        return
    if can_see_permit(actor, permit):
        raise Forbidden(_("您的角色不能对该工作居住证进行此操作。"), code="permit_role_forbidden")
    raise NotFound(code="permit_not_found")


def _require_staff(actor: Any, permit: Permit) -> None:
    _require(actor, permit, allowed=is_staff(actor))


def _locked(permit: Permit) -> Permit:
    return Permit.objects.select_for_update().get(pk=permit.pk)


def _record(permit: Permit, *, action: str, from_status: str, actor: Any, note: str = "",
            changes: Mapping[str, Any] | None = None) -> None:
    """One PermitEvent and one audit event for a change of the permit."""
    user = actor if getattr(actor, "pk", None) else None
    PermitEvent.objects.create(
        permit=permit, at=timezone.now(), action=action, from_status=from_status, to_status=permit.status,
        actor=user, note=note,
    )
    audit_record(
        actor=user, action=f"permit.{action}", obj=permit,
        changes={"status": [from_status or None, permit.status], **(changes or {})},
    )


def _require_not_lapsed(permit: Permit) -> None:
    """A permit whose valid_until has passed is lapsed even before the sweep marks it (POLICY §9)."""
    if permit.valid_until < timezone.localdate():
        raise InvalidState(PermitStatus.EXPIRED, _("工作居住证已过有效期"), code="permit_lapsed")


def clean_children(children: Any) -> list[dict[str, str]]:
    """Children as {"name", "case"} (the name may be empty); Invalid naming every bad field (children.0.case, …)."""
    if not isinstance(children, Iterable) or isinstance(children, str | bytes | Mapping):
        raise Invalid({"children": _("随往子女应为列表")}, codes={"children": "not_a_list"})
    errors: dict[str, Message] = {}
    cleaned: list[dict[str, str]] = []
    for index, child in enumerate(children):
        if not isinstance(child, Mapping):
            errors[f"children.{index}"] = _("应为包含 name 和 case 的对象")
            continue
        # The name is shown on the certificate when known; approval is not the moment to ask for it.
        name = child.get("name")
        if name is not None and not isinstance(name, str):
            errors[f"children.{index}.name"] = _("子女姓名应为文字")
            name = ""
        name = (name or "").strip()
        if len(name) > PermitChild._meta.get_field("name").max_length:
            errors[f"children.{index}.name"] = _("姓名过长")
        case = child.get("case")
        if not isinstance(case, str) or case not in _CHILD_CASES:
            errors[f"children.{index}.case"] = format_lazy(_("子女情形代码无效：{value}"), value=repr(case))
        cleaned.append({"name": name, "case": str(case)})
    if errors:
        raise Invalid(errors)
    return cleaned


def _add_children(permit: Permit, children: list[dict[str, str]], *, on: date) -> None:
    PermitChild.objects.bulk_create(
        [PermitChild(permit=permit, name=child["name"], case=child["case"], added_on=on) for child in children]
    )


def permit_certificate_issue(*, permit: Permit, actor: Any, at: datetime | None = None) -> IssuedDocument:
    """Issue the permit's certificate as it stands now (its 文号 printed inside), superseding the one before; inside
    the caller's transaction. Invalid when the holder has no real name on record."""
    _require_staff(actor, permit)
    at = at or timezone.now()
    issued_on = timezone.localdate(at)
    return document_issue(kind=CERTIFICATE, permit=permit, actor=actor, at=at,
                          build=lambda number: certificate(permit, number=number, issued_on=issued_on))


def new_permit_number() -> str:
    """An opaque, unguessable, unique permit number: WRP + 12 characters."""
    for _attempt in range(20):
        number = NUMBER_PREFIX + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))
        if not Permit.objects.filter(number=number).exists():
            return number
    raise RuntimeError("could not find a free permit number")  # 31^12 numbers: never in practice


def permit_issue(
    *, holder: Any, unit: Unit, actor: Any, on: date, children: Iterable[Mapping[str, Any]] = ()
) -> Permit:
    """Issue a permit (the effect of an approved `initial`): valid for 3 years from `on`, with its children.

    A holder has at most one current permit (valid or suspended, not past valid_until): issuing a second is refused.
    """
    if not is_staff(actor):
        raise Forbidden(_("只有工作人员可以发放工作居住证。"), code="staff_only")
    if getattr(holder, "role", None) != Role.APPLICANT:
        raise Invalid({"holder": _("持证人应为申请人账户")}, codes={"holder": "not_an_applicant"})
    cleaned = clean_children(children)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=holder.pk).first()  # one issue per holder at a time
        current = (
            Permit.objects.filter(holder_id=holder.pk, status__in=CURRENT_STATUSES, valid_until__gte=on)
            .order_by("-issued_on").first()
        )
        if current is not None:
            raise InvalidState(current.status, _("申请人已持有工作居住证"), code="holder_has_permit")
        permit = Permit.objects.create(
            number=new_permit_number(), holder=holder, unit=unit, status=PermitStatus.VALID, issued_on=on,
            valid_until=add_years(on, VALIDITY_YEARS),
        )
        _add_children(permit, cleaned, on=on)
        _record(permit, action="issued", from_status="", actor=actor,
                changes={"unit": unit.credit_code, "valid_until": permit.valid_until.isoformat(),
                         "children": len(cleaned)})
        permit_certificate_issue(permit=permit, actor=actor)
        emit("permit.issued", permit_id=permit.pk)
    return permit


def permit_suspend(*, permit: Permit, actor: Any, on: date, note: str = "") -> Permit:
    """挂起 (POLICY §9): the unit released the holder; the permit is temporarily not valid."""
    _require(actor, permit, allowed=is_staff(actor) or is_handler(actor, permit.unit))
    with transaction.atomic():
        permit = _locked(permit)
        if permit.status != PermitStatus.VALID:
            raise InvalidState(permit.status)
        permit.status = PermitStatus.SUSPENDED
        permit.suspended_on = on
        permit.save(update_fields=["status", "suspended_on"])
        _record(permit, action="suspended", from_status=PermitStatus.VALID, actor=actor, note=note,
                changes={"suspended_on": on.isoformat()})
        emit("permit.suspended", permit_id=permit.pk)
    return permit


def permit_transfer(*, permit: Permit, unit: Unit, actor: Any) -> Permit:
    """The effect of an approved `employer_change`: the permit moves to the new unit and is valid again."""
    _require_staff(actor, permit)
    with transaction.atomic():
        permit = _locked(permit)
        if permit.status not in CURRENT_STATUSES:
            raise InvalidState(permit.status)
        _require_not_lapsed(permit)
        previous_status, previous_unit = permit.status, permit.unit
        permit.unit = unit
        permit.status = PermitStatus.VALID
        permit.suspended_on = None
        permit.save(update_fields=["unit", "status", "suspended_on"])
        _record(permit, action="transferred", from_status=previous_status, actor=actor,
                note=f"{previous_unit.credit_code} → {unit.credit_code}",
                changes={"unit": [previous_unit.credit_code, unit.credit_code]})
        permit_certificate_issue(permit=permit, actor=actor)
    return permit


def permit_extend(*, permit: Permit, actor: Any) -> Permit:
    """The effect of an approved `renewal`: valid_until + 3 years (POLICY §9)."""
    _require_staff(actor, permit)
    with transaction.atomic():
        permit = _locked(permit)
        if permit.status != PermitStatus.VALID:
            raise InvalidState(permit.status)
        _require_not_lapsed(permit)
        old = permit.valid_until
        permit.valid_until = add_years(old, VALIDITY_YEARS)
        permit.save(update_fields=["valid_until"])
        _record(permit, action="extended", from_status=PermitStatus.VALID, actor=actor,
                note=f"{old.isoformat()} → {permit.valid_until.isoformat()}",
                changes={"valid_until": [old.isoformat(), permit.valid_until.isoformat()]})
        permit_certificate_issue(permit=permit, actor=actor)
        emit("permit.renewed", permit_id=permit.pk)
    return permit


def permit_add_children(*, permit: Permit, children: Iterable[Mapping[str, Any]], actor: Any, on: date) -> Permit:
    """The effect of an approved `children_change`: the children join the permit."""
    _require_staff(actor, permit)
    cleaned = clean_children(children)
    if not cleaned:
        raise Invalid({"children": _("至少一名随往子女")}, codes={"children": "empty"})
    with transaction.atomic():
        permit = _locked(permit)
        if permit.status != PermitStatus.VALID:
            raise InvalidState(permit.status)
        _require_not_lapsed(permit)
        _add_children(permit, cleaned, on=on)
        _record(permit, action="children_added", from_status=permit.status, actor=actor,
                note=f"+{len(cleaned)}", changes={"children": f"+{len(cleaned)}"})
        permit_certificate_issue(permit=permit, actor=actor)
    return permit


def _children_kept(current: list[PermitChild], children: list[dict[str, str]]
                   ) -> tuple[list[PermitChild], list[dict[str, str]]]:
    """Which of the permit's children the list keeps and which rows are new: a row keeps a child of the same name and
    case; then a row or a child without a name keeps one of the same case (the row's name, if any, is recorded)."""
    left, new = list(current), []
    unmatched = []
    for child in children:
        same = next((held for held in left if (held.name, held.case) == (child["name"], child["case"])), None)
        if same is None:
            unmatched.append(child)
        else:
            left.remove(same)
    kept = [held for held in current if held not in left]
    for child in unmatched:
        same = next((held for held in left if held.case == child["case"] and not (held.name and child["name"])),
                    None)
        if same is None:
            new.append(child)
            continue
        left.remove(same)
        if child["name"] and not same.name:
            same.name = child["name"]
            same.save(update_fields=["name"])
        kept.append(same)
    return kept, new


def permit_change_children(*, permit: Permit, children: Iterable[Mapping[str, Any]], actor: Any, on: date
                           ) -> Permit:
    """The effect of an approved `children_change`: afterwards the permit carries exactly the children listed — those
    it already carries stay (with the day they joined), the others join it on `on`, and a child not listed is removed.
    At least one child (A-CHILDREN; the case's submission already refused a list without one)."""
    _require_staff(actor, permit)
    cleaned = clean_children(children)
    if not cleaned:
        raise Invalid({"children": _("至少一名随往子女")}, codes={"children": "empty"})
    with transaction.atomic():
        permit = _locked(permit)
        if permit.status != PermitStatus.VALID:
            raise InvalidState(permit.status)
        _require_not_lapsed(permit)
        current = list(permit.children.order_by("added_on", "id"))
        kept, added = _children_kept(current, cleaned)
        removed = [child for child in current if child not in kept]
        PermitChild.objects.filter(pk__in=[child.pk for child in removed]).delete()
        _add_children(permit, added, on=on)
        _record(permit, action="children_changed", from_status=permit.status, actor=actor,
                note=f"+{len(added)} -{len(removed)}", changes={"children": f"+{len(added)} -{len(removed)}"})
        permit_certificate_issue(permit=permit, actor=actor)
    return permit


def permit_revoke(*, permit: Permit, actor: Any, reason: str) -> Permit:
    """撤销: a bureau decision (after an audit), from any status; the reason is recorded on the permit's events."""
    _require(actor, permit, allowed=getattr(actor, "role", None) == Role.BUREAU_APPROVER)
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise Invalid({"reason": _("请填写理由")}, codes={"reason": "required"})
    with transaction.atomic():
        permit = _locked(permit)
        if permit.status == PermitStatus.REVOKED:
            raise InvalidState(permit.status)
        previous = permit.status
        permit.status = PermitStatus.REVOKED
        permit.save(update_fields=["status"])
        _record(permit, action="revoked", from_status=previous, actor=actor, note=text,
                changes={"reason": "recorded"})
    return permit


def permits_expire(*, today: date) -> int:
    """The daily sweep: valid or suspended permits whose valid_until is before today become expired (POLICY §9).

    Set-wise, in keyset batches of `SWEEP_BATCH_SIZE` (`wrp.permits.sweep`): each batch one transaction writing the
    permits, their PermitEvents and audit events, and announcing `permit.expired` per permit after it commits.
    Idempotent (a second run finds nothing) and safe to run on several workers at once: on PostgreSQL each batch
    takes its rows with SKIP LOCKED, so two sweeps never wait on or double-count the same permit. Returns how many
    permits it changed.
    """
    return permits_expire_setwise(today=today)
