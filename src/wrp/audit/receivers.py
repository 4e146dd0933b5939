"""Audit events of what changes no state, received from Django's signals (connected by the app's ready()):

- sign-in (`auth.login`), failed sign-in (`auth.login_failed`: the username tried, cut to 40 characters, and the
  client's address; never the password) and sign-out (`auth.logout`), from django.contrib.auth's signals, whichever
  view or API signs in;
- administrator actions in the admin site (`admin.change`), from the admin's own log (LogEntry): the object and which
  fields changed, never their values nor the object's text (it may hold a name).

Each is appended in its own short transaction (`audit_note`).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.http import HttpRequest

from wrp.audit.services import audit_note
from wrp.core.clientaddr import client_address

USERNAME_CHARS = 40
USER = "accounts.user"
ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def _address(request: HttpRequest | None) -> str:
    return client_address(request) if request is not None else ""


def signed_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    audit_note(actor=user, action="auth.login", obj=user, changes={"address": _address(request)})


def sign_in_failed(sender: Any, credentials: dict[str, Any] | None = None, request: HttpRequest | None = None,
                   **kwargs: Any) -> None:
    username = str((credentials or {}).get("username", ""))[:USERNAME_CHARS]
    audit_note(actor=None, actor_role="anonymous", action="auth.login_failed", object_type=USER, object_id=username,
               outcome="refused", changes={"address": _address(request)})


def signed_out(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    if user is None:
        return  # signing out without having been signed in
    audit_note(actor=user, action="auth.logout", obj=user, changes={"address": _address(request)})


def admin_logged(sender: Any, instance: LogEntry, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    audit_note(**admin_event(instance))


def admin_event(entry: LogEntry) -> dict[str, Any]:
    """The audit event of one admin log entry: who, which object, what kind of change and the names of the fields."""
    content_type = entry.content_type
    object_type = f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""
    changes: dict[str, Any] = {"admin_action": ADMIN_ACTIONS.get(entry.action_flag, str(entry.action_flag))}
    fields = _changed_fields(entry.change_message)
    if fields:
        changes["fields"] = fields
    return {"actor": entry.user, "action": "admin.change", "object_type": object_type,
            "object_id": str(entry.object_id or "")[:64], "changes": changes}


def _changed_fields(message: str) -> list[str]:
    """The field names of the admin's JSON change message ([{"changed": {"fields": [...]}}, …]); never values."""
    try:
        items = json.loads(message or "[]")
    except ValueError:
        return []
    names: list[str] = []
    for item in items if isinstance(items, list) else []:
        for detail in item.values() if isinstance(item, dict) else []:
            if isinstance(detail, dict):
                names.extend(str(name) for name in detail.get("fields", []))
    return names


def connect() -> None:
    user_logged_in.connect(signed_in, dispatch_uid="wrp.audit.signed_in")
    user_login_failed.connect(sign_in_failed, dispatch_uid="wrp.audit.sign_in_failed")
    user_logged_out.connect(signed_out, dispatch_uid="wrp.audit.signed_out")
    post_save.connect(admin_logged, sender=LogEntry, dispatch_uid="wrp.audit.admin_logged")
