"""Association invitations (关联邀请): the unit proposes, the employee confirms.

A unit's import (or, later, a single form) invites a person it names by resident ID number; nothing links them yet.
The person, signed in with that ID number, sees the invitation and confirms it — only then is an association made,
`active` at once since both sides agreed (the unit by inviting, the employee by confirming) — or declines it. The
facts the unit gave are copied into the employee's profile where it has none of them, by the employee's own
confirmation. Duplicates are refused before anything is written: a person already associated with (or asking) the
unit, or already invited by it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.accounts import crypto
from wrp.accounts.models import Role
from wrp.audit.services import audit_record
from wrp.cases.facts import profile_facts
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound, ServiceError
from wrp.core.events import emit
from wrp.employment.selectors import OPEN_STATES
from wrp.imports.models import ImportBatch, Invitation, InvitationState
from wrp.imports.sheet import CleanRow
from wrp.policy.identifiers import mask_resident_id
from wrp.units.models import Association, AssociationState, Unit

DUPLICATE_ASSOCIATED = "already_associated"
DUPLICATE_INVITED = "already_invited"


def id_hashes(id_number: str) -> list[str]:
    return crypto.lookup_hashes(id_number, purpose=crypto.ID_NUMBER)


def duplicate_of(unit: Unit, id_number: str) -> str | None:
    """Why inviting this person would duplicate what exists: associated with (or asking) the unit, or invited."""
    hashes = id_hashes(id_number)
    if Association.objects.filter(unit=unit, state__in=OPEN_STATES, applicant__id_number_hash__in=hashes).exists():
        return DUPLICATE_ASSOCIATED
    if Invitation.objects.filter(unit=unit, state=InvitationState.PENDING, id_number_hash__in=hashes).exists():
        return DUPLICATE_INVITED
    return None


def duplicates_among(unit: Unit, id_numbers: list[str]) -> dict[str, str]:
    """`duplicate_of` for many numbers at once (two queries): {id_number: reason} for the duplicates."""
    by_hash = {crypto.keyed_hash(number, purpose=crypto.ID_NUMBER): number for number in id_numbers}
    found: dict[str, str] = {}
    for start in range(0, len(id_numbers), 500):
        chunk = list(by_hash)[start : start + 500]
        for value in Association.objects.filter(
            unit=unit, state__in=OPEN_STATES, applicant__id_number_hash__in=chunk
        ).values_list("applicant__id_number_hash", flat=True):
            found.setdefault(by_hash[value], DUPLICATE_ASSOCIATED)
        for value in Invitation.objects.filter(
            unit=unit, state=InvitationState.PENDING, id_number_hash__in=chunk
        ).values_list("id_number_hash", flat=True):
            found.setdefault(by_hash[value], DUPLICATE_INVITED)
    return found


def invitation_create(
    *, actor: Any, unit: Unit, row: CleanRow, batch: ImportBatch | None = None, checked: bool = False
) -> Invitation:
    """Invite one person (inside the caller's transaction). Invalid naming `id_number` for a duplicate; `checked`:
    the caller looked for duplicates already (`duplicates_among`), and a racing invitation is still refused by the
    database's constraint."""
    reason = None if checked else duplicate_of(unit, row.id_number)
    if reason is not None:
        raise Invalid({"id_number": DUPLICATE_WORDS[reason]}, codes={"id_number": reason})
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                unit=unit,
                batch=batch,
                row_number=row.row,
                created_by=actor,
                created_at=timezone.now(),
                real_name=row.name,
                id_number_encrypted=crypto.encrypt(row.id_number, purpose=crypto.ID_NUMBER),
                id_number_hash=crypto.keyed_hash(row.id_number, purpose=crypto.ID_NUMBER),
                id_number_masked=mask_resident_id(row.id_number),
                mobile=row.mobile,
                email=row.email,
                start_date=row.start_date,
                facts=row.facts,
            )
    except IntegrityError:  # a racing import invited the same person
        raise Invalid(
            {"id_number": DUPLICATE_WORDS[DUPLICATE_INVITED]}, codes={"id_number": DUPLICATE_INVITED}
        ) from None
    audit_record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        changes={"unit": unit.credit_code, "batch": batch.public_id if batch else None},
    )
    return invitation


DUPLICATE_WORDS = {
    DUPLICATE_ASSOCIATED: _("该员工已与本单位关联或已申请关联。"),
    DUPLICATE_INVITED: _("已向该员工发出关联邀请，尚待确认。"),
}


# --- the employee's side -------------------------------------------------------------------------------------------


def invitations_for(user: Any) -> QuerySet[Invitation]:
    """The pending invitations addressed to this applicant (by their resident ID number); none for other roles."""
    if getattr(user, "role", None) != Role.APPLICANT or not getattr(user, "id_number_hash", ""):
        return Invitation.objects.none()
    return (
        Invitation.objects.select_related("unit")
        .filter(id_number_hash=user.id_number_hash, state=InvitationState.PENDING)
        .order_by("created_at", "pk")
    )


def invitation_for(user: Any, pk: Any) -> Invitation:
    invitation = invitations_for(user).filter(pk=int(pk) if str(pk).isdigit() else 0).first()
    if invitation is None:
        raise NotFound(_("未找到该关联邀请。"), code="invitation_not_found")
    return invitation


def _locked(invitation: Invitation, actor: Any) -> Invitation:
    if getattr(actor, "role", None) != Role.APPLICANT:
        raise Forbidden(_("只有受邀员工本人可以确认关联邀请。"), code="invitee_only")
    locked = Invitation.objects.select_for_update().select_related("unit").get(pk=invitation.pk)
    if locked.id_number_hash != getattr(actor, "id_number_hash", None):
        raise NotFound(_("未找到该关联邀请。"), code="invitation_not_found")
    if locked.state != InvitationState.PENDING:
        raise InvalidState(locked.state)
    return locked


def invitation_accept(*, invitation: Invitation, actor: Any) -> Association:
    """The invited employee confirms: an active association with the unit (at most one active at a time), and the
    unit's facts copied into their profile where it has none."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        invitation = _locked(invitation, actor)
        if Association.objects.filter(applicant_id=actor.pk, state=AssociationState.ACTIVE).exists():
            raise InvalidState(
                AssociationState.ACTIVE, _("申请人已与一家单位关联，请先解除。"), code="already_associated"
            )
        if Association.objects.filter(applicant_id=actor.pk, unit=invitation.unit, state__in=OPEN_STATES).exists():
            raise InvalidState(AssociationState.REQUESTED, _("已向该单位提出关联。"), code="already_requested")
        now = timezone.now()
        association = Association.objects.create(
            unit=invitation.unit,
            applicant=actor,
            state=AssociationState.ACTIVE,
            requested_at=invitation.created_at,
            decided_at=now,
        )
        invitation.state, invitation.decided_at, invitation.association = InvitationState.ACCEPTED, now, association
        invitation.save(update_fields=["state", "decided_at", "association"])
        audit_record(
            actor=actor,
            action="invitation.accept",
            obj=invitation,
            changes={"state": [InvitationState.PENDING, InvitationState.ACCEPTED], "association": association.pk},
        )
        audit_record(
            actor=actor,
            action="association.confirm_invitation",
            obj=association,
            changes={"unit": invitation.unit.credit_code, "state": [None, AssociationState.ACTIVE]},
        )
        _prefill_profile(actor, invitation.facts)
        emit("association.confirmed", association_id=association.pk)
    return association


def _prefill_profile(user: Any, facts: dict[str, Any]) -> None:
    from wrp.accounts.services import profile_save

    have = profile_facts(user)
    new = {key: value for key, value in facts.items() if key not in have}
    if not new:
        return
    try:
        with transaction.atomic():
            profile_save(user=user, facts=new, actor=user, replacing={(key,) for key in new})
    except ServiceError:  # facts the profile refuses are left for the employee to give
        return


def invitation_decline(*, invitation: Invitation, actor: Any) -> Invitation:
    with transaction.atomic():
        invitation = _locked(invitation, actor)
        invitation.state, invitation.decided_at = InvitationState.DECLINED, timezone.now()
        invitation.save(update_fields=["state", "decided_at"])
        audit_record(
            actor=actor,
            action="invitation.decline",
            obj=invitation,
            changes={"state": [InvitationState.PENDING, InvitationState.DECLINED]},
        )
    return invitation
