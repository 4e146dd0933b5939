"""What of a user's real-name data a given viewer may see.

The whole resident ID number is for the person themself and for the staff who check it against the materials (window
clerks, bureau approvers); everyone else — unit handlers, administrators — sees the masked form (110105********002X).
"""

from __future__ import annotations

from wrp.accounts.models import STAFF_ROLES, User
from wrp.accounts.services import user_id_number


def may_see_whole_id_number(viewer: User, user: User) -> bool:
    return viewer.is_active and (viewer.pk == user.pk or viewer.role in STAFF_ROLES)


def id_number_shown_to(viewer: User, user: User) -> str:
    """The user's resident ID number as this viewer may see it: whole, masked, or "" when none is recorded."""
    if user.id_number_encrypted is None:
        return ""
    if may_see_whole_id_number(viewer, user):
        return user_id_number(user) or ""
    return user.id_number_masked
