"""The platform's periodic jobs: registered, runnable for a day, each a summary; finders of the notifications app
called when present and skipped when not; retention of delivery logs and queue records."""

from __future__ import annotations

import sys
import types
from datetime import date, timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from tests.clock import beijing
from tests.factories import make_association, make_permit, make_unit, make_user
from wrp.accounts.models import Role
from wrp.permits.models import Permit
from wrp.tasks import jobs
from wrp.tasks.registry import JOBS

pytestmark = pytest.mark.django_db

DAILY = {
    "sweep", "reminders.renewal", "reminders.appointment", "sla.clerk_digest", "sla.overdue_escalations",
    "releases.late", "retention.deliveries", "retention.task_results", "acceptance.deemed",
    "retention.withdrawn_files", "statistics.figures",
}
HOURLY = {"audit.anchor", "webhooks.housekeeping"}


def test_the_platform_registers_its_daily_jobs():
    assert {name for name, job in JOBS.items() if job.every == "day"} == DAILY
    assert {name for name, job in JOBS.items() if job.every == "hour"} == HOURLY
    assert JOBS["sweep"].priority > JOBS["sla.overdue_escalations"].priority > JOBS["reminders.renewal"].priority


def test_the_sweep_job_expires_permits_for_its_day(today, private_media):
    permit = make_permit(make_user(Role.APPLICANT), make_unit(), issued_on=date(2023, 1, 1), valid_until=today)
    assert JOBS["sweep"].func(today=today)["permits_expired"] == 0
    summary = JOBS["sweep"].func(today=today + timedelta(days=1))
    assert summary == {"permits_expired": 1, "cases_marked_overdue": 0, "late_releases": 0, "orphan_files_removed": 0,
                       "upload_checks_tidied": 0}
    assert Permit.objects.get(pk=permit.pk).status == "expired"
    assert JOBS["sweep"].func(today=today + timedelta(days=1))["permits_expired"] == 0  # idempotent


@pytest.fixture
def finders(monkeypatch):
    """A stand-in for wrp.notifications.reminders with only some finders, each recording the day it was asked."""
    module = types.ModuleType("wrp.notifications.reminders")
    module.asked = []
    module.renewal_reminders = lambda *, today: module.asked.append(("renewal", today)) or 2
    module.clerk_digest = lambda *, today: module.asked.append(("digest", today)) or 0
    monkeypatch.setitem(sys.modules, "wrp.notifications.reminders", module)
    return module


def test_reminder_jobs_call_the_finders_for_their_day(finders, today):
    assert JOBS["reminders.renewal"].func(today=today) == {"notices": 2}
    assert JOBS["sla.clerk_digest"].func(today=today) == {"notices": 0}
    assert finders.asked == [("renewal", today), ("digest", today)]


def test_a_finder_not_written_yet_is_skipped(finders, today, caplog):
    assert JOBS["reminders.appointment"].func(today=today) == {"skipped": "appointment_reminders not available"}
    assert JOBS["sla.overdue_escalations"].func(today=today) == {"skipped": "overdue_escalations not available"}
    assert "appointment_reminders does not exist yet" in caplog.text


def test_late_releases_are_counted(finders, today):
    unit = make_unit()
    make_association(make_user(Role.APPLICANT), unit, state="released", late=True, released_at=beijing(2026, 11, 26))
    make_association(make_user(Role.APPLICANT), unit, state="released", late=True, released_at=beijing(2026, 10, 1))
    make_association(make_user(Role.APPLICANT), unit)
    summary = JOBS["releases.late"].func(today=today)
    assert summary == {"skipped": "release_deadline_reminders not available", "late_releases": 2,
                       "late_released_today": 1}


def test_delivery_logs_older_than_the_retention_period_are_deleted(today, settings):
    from wrp.notifications.models import Delivery, Notification

    settings.DELIVERY_LOG_RETENTION_DAYS = 30
    user = make_user(Role.APPLICANT)
    for days_ago in (31, 29):
        notice = Notification.objects.create(recipient=user, event="case.approved", key=f"k{days_ago}", subject="s",
                                             body="b")
        Delivery.objects.create(notification=notice, channel="email", address="a***@example.com",
                                created_at=beijing(2026, 11, 26, 0) - timedelta(days=days_ago))
    assert jobs.delivery_log_retention(today=today) == {"deleted": 1}
    assert list(Delivery.objects.values_list("notification__key", flat=True)) == ["k29"]
    assert Notification.objects.count() == 2  # the notices themselves stay
    assert jobs.delivery_log_retention(today=today) == {"deleted": 0}


def test_old_successful_queue_records_are_deleted_failed_ones_kept(today, settings):
    settings.TASKS_RESULT_RETENTION_DAYS = 30
    old = beijing(2026, 10, 1)
    for status in ("SUCCESSFUL", "FAILED"):
        DBTaskResult.objects.create(task_path="wrp.tasks.runner.run_scheduled", args_kwargs={"args": [], "kwargs": {}},
                                    status=status, finished_at=old, backend_name="default")
    DBTaskResult.objects.create(task_path="wrp.tasks.runner.run_scheduled", args_kwargs={"args": [], "kwargs": {}},
                                status="SUCCESSFUL", finished_at=beijing(2026, 11, 20), backend_name="default")
    assert jobs.task_result_retention(today=today) == {"deleted": 1}
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == ["FAILED", "SUCCESSFUL"]


def test_failed_runs_are_listed_for_the_administrator(client, jobs_admin):
    response = client.get("/admin/wrp_tasks/scheduledrun/?status__exact=failed")
    assert response.status_code == 200
    assert "retention.deliveries" in response.content.decode()
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 200


@pytest.fixture
def jobs_admin(client):
    from wrp.tasks.models import RunStatus, ScheduledRun

    client.force_login(make_user(Role.ADMIN))
    ScheduledRun.objects.create(job="retention.deliveries", period="2026-11-26", status=RunStatus.FAILED, attempts=5,
                                error="Traceback: disk full")
    return client
