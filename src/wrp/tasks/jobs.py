"""The platform's periodic jobs (registered on import by the app's ready()): each runs for one day, is idempotent
for that day and returns a small JSON summary that the run keeps.

- `sweep`: expire permits past valid_until, mark overdue cases, remove orphan files (wrp.cases.sweep);
- `acceptance.deemed`: cases not accepted nor returned within 5 working days are deemed accepted (wrp.cases.acceptance);
- `reminders.*` and `sla.*`: the notification finders of wrp.notifications.reminders (renewal window, appointment
  the day before, the clerks' digest, escalation of overdue cases), each idempotent per day;
- `releases.late`: the 60-day release deadline (approaching and missed) and the late releases on record;
- `retention.*`: delivery logs older than DELIVERY_LOG_RETENTION_DAYS, finished queue records older than
  TASKS_RESULT_RETENTION_DAYS, the uploaded files of cases withdrawn more than WITHDRAWN_FILES_RETENTION_DAYS ago;
- `audit.anchor` (every hour): the audit events left waiting for the chainer chained (the safety net of the chainer
  run after each commit, wrp.audit.chainer), then a signed checkpoint of the chain appended to AUDIT_ANCHOR_FILE.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from django.conf import settings

from wrp.core.days import day_start, days_range
from wrp.tasks.registry import periodic

log = logging.getLogger("wrp.tasks")


def _finder(module: str, name: str) -> Callable[..., int] | None:
    """A function of a higher-up module that may not exist yet (imported lazily: tasks sits above notifications, and
    each finder arrives with its own change)."""
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        return None


def _run_finder(name: str, today: date) -> dict[str, Any]:
    finder = _finder("wrp.notifications.reminders", name)
    if finder is None:
        log.info("periodic job: wrp.notifications.reminders.%s does not exist yet; skipped", name)
        return {"skipped": f"{name} not available"}
    return {"notices": finder(today=today)}


@periodic("sweep", priority=10)
def lifecycle_sweep(*, today: date) -> dict[str, Any]:
    """Permits expire, cases turn overdue, orphan files go (the `wrp sweep` command, once a day)."""
    from wrp.cases.sweep import sweep

    return asdict(sweep(today=today))


@periodic("acceptance.deemed", priority=8)
def deemed_acceptance(*, today: date) -> dict[str, Any]:
    """Record the deemed acceptance (L-ACCEPT) of cases whose 5th working day after the materials arrived is over
    without acceptance or return, with their 受理通知书 (before the digest and escalations read the cases)."""
    from wrp.cases.acceptance import cases_deem_accepted

    return {"deemed": cases_deem_accepted(today=today)}


@periodic("reminders.renewal")
def renewal_reminders(*, today: date) -> dict[str, Any]:
    return _run_finder("renewal_reminders", today)


@periodic("reminders.appointment")
def appointment_reminders(*, today: date) -> dict[str, Any]:
    return _run_finder("appointment_reminders", today)


@periodic("sla.clerk_digest")
def clerk_digest(*, today: date) -> dict[str, Any]:
    return _run_finder("clerk_digest", today)


@periodic("sla.overdue_escalations", priority=5)
def overdue_escalations(*, today: date) -> dict[str, Any]:
    """After the sweep (priority): it reads the overdue marks the sweep sets."""
    return _run_finder("overdue_escalations", today)


@periodic("releases.late")
def late_releases(*, today: date) -> dict[str, Any]:
    """Deadline notices for releases (approaching, missed) and the count of late releases on record."""
    from wrp.units.models import Association

    summary = _run_finder("release_deadline_reminders", today)
    late = Association.objects.filter(late=True)
    summary["late_releases"] = late.count()
    since, until = days_range(today, today)
    summary["late_released_today"] = late.filter(released_at__gte=since, released_at__lt=until).count()
    return summary


@periodic("retention.deliveries")
def delivery_log_retention(*, today: date) -> dict[str, Any]:
    """Delete delivery-log rows older than DELIVERY_LOG_RETENTION_DAYS (the notices themselves stay)."""
    try:
        from wrp.notifications.models import Delivery
    except ImportError:
        return {"skipped": "no delivery log"}
    cutoff = day_start(today - timedelta(days=settings.DELIVERY_LOG_RETENTION_DAYS))
    deleted, _ = Delivery.objects.filter(created_at__lt=cutoff).delete()
    return {"deleted": deleted}


@periodic("retention.task_results")
def task_result_retention(*, today: date) -> dict[str, Any]:
    """Delete successful queue records (django-tasks-db) older than TASKS_RESULT_RETENTION_DAYS; failed ones stay
    for the administrator. The ScheduledRun rows, one per job and day, are kept."""
    from django_tasks_db.models import DBTaskResult

    cutoff = day_start(today - timedelta(days=settings.TASKS_RESULT_RETENTION_DAYS))
    deleted, _ = DBTaskResult.objects.filter(status="SUCCESSFUL", finished_at__lt=cutoff).delete()
    return {"deleted": deleted}


@periodic("retention.withdrawn_files")
def withdrawn_files_retention(*, today: date) -> dict[str, Any]:
    """Delete the uploaded files of cases withdrawn more than WITHDRAWN_FILES_RETENTION_DAYS ago (wrp.cases.retention:
    the rows stay, without their files; one `case.files_expired` audit event per case)."""
    from wrp.cases.retention import withdrawn_files_expire

    return asdict(withdrawn_files_expire(today=today))


@periodic("audit.anchor", every="hour")
def audit_anchor(*, today: date) -> dict[str, Any]:
    """Chain the audit events still waiting (a chainer run after a commit that failed), then append a signed checkpoint
    of the chain (head, count, last id, time) to the anchor file: what lets `wrp audit verify` find deleted newest
    events and a recomputed chain. Another anchor in the same hour is harmless."""
    from wrp.audit.anchors import audit_anchor as anchor_write

    anchor = anchor_write()
    return {"count": anchor.count, "last_id": anchor.last_id}
