"""Retention of withdrawn cases' files (issue 11 §8): WITHDRAWN_FILES_RETENTION_DAYS after the withdrawal the daily
job deletes the uploaded files (rows and bytes), keeps the case, its checklist rows (now without file) and a timeline
entry, writes one `case.files_expired` audit event per case, and leaves alone every file another row still names."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.documents.pdfs import plain_pdf
from tests.factories import case_in_state
from wrp.audit.models import AuditEvent
from wrp.cases import services
from wrp.cases.models import CaseEvent, CaseMaterial, MaterialStatus
from wrp.cases.retention import withdrawn_files_expire
from wrp.documents.models import StoredFile
from wrp.documents.services import store_file
from wrp.tasks.registry import JOBS
from wrp.units.models import UnitDocument

pytestmark = pytest.mark.usefixtures("private_media")


def attach_stored(case, *, by):
    """Every material of the checklist with a real stored PDF (bytes on disk)."""
    from wrp.cases.materials import case_checklist

    for code in case_checklist(case):
        stored = store_file(data=plain_pdf(), original_name=f"{code}.pdf", uploaded_by=by, pages=1)
        material, _created = CaseMaterial.objects.get_or_create(case=case, code=code)
        material.file, material.status = stored, MaterialStatus.UPLOADED
        material.save()


def on_disk(stored: StoredFile) -> Path:
    return Path(settings.MEDIA_ROOT) / stored.storage_name


def files_of(case) -> list[StoredFile]:
    return [material.file for material in case.materials.select_related("file") if material.file is not None]


@pytest.fixture
def expire(django_capture_on_commit_callbacks):
    """`withdrawn_files_expire`, its after-commit unlinking run (the test's transaction never commits)."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return withdrawn_files_expire(**kwargs)

    return run


@pytest.fixture
def withdrawn(people):
    """A case submitted and withdrawn on the frozen day (2026-11-26, 10:00), every material with a stored file."""
    return case_in_state(people, "withdrawn", materials=attach_stored)


@pytest.mark.parametrize(("days_later", "expired"), [(90, False), (91, True)], ids=["day-90-kept", "day-91-gone"])
def test_files_go_only_once_the_retention_period_is_over(withdrawn, today, days_later, expired, expire):
    stored = files_of(withdrawn)
    report = expire(today=today + timedelta(days=days_later))
    assert report.cases == (1 if expired else 0)
    assert StoredFile.objects.filter(pk__in=[s.pk for s in stored]).exists() is not expired
    assert all(on_disk(s).exists() is not expired for s in stored)


def test_a_withdrawn_case_keeps_its_checklist_and_timeline_without_the_files(withdrawn, today, expire):
    stored = files_of(withdrawn)
    codes = sorted(withdrawn.materials.values_list("code", flat=True))
    report = expire(today=today + timedelta(days=91))
    assert (report.cases, report.materials, report.files_deleted) == (1, len(stored), len(stored))
    materials = list(withdrawn.materials.all())
    assert sorted(m.code for m in materials) == codes
    assert {(m.file_id, m.status, m.uploaded_at) for m in materials} == {(None, MaterialStatus.MISSING, None)}
    entry = CaseEvent.objects.get(case=withdrawn, action="files_expired")
    assert sorted(entry.detail["materials"]) == codes
    assert entry.from_state == entry.to_state == "withdrawn"
    event = AuditEvent.objects.get(action="case.files_expired")
    assert event.object_id == str(withdrawn.pk)
    assert sorted(event.changes["sha256"]) == sorted(s.sha256 for s in stored)
    assert not any(on_disk(s).exists() for s in stored)


def test_a_second_run_finds_nothing_to_do(withdrawn, today, expire):
    later = today + timedelta(days=100)
    expire(today=later)
    events = AuditEvent.objects.count()
    assert expire(today=later) == expire(today=later + timedelta(days=1))
    assert expire(today=later).cases == 0
    assert AuditEvent.objects.count() == events
    assert CaseEvent.objects.filter(action="files_expired").count() == 1


def test_cases_that_are_not_withdrawn_keep_their_files(people, today, expire):
    draft = case_in_state(people, "draft", materials=attach_stored)
    stored = files_of(draft)
    assert expire(today=today + timedelta(days=400)).cases == 0
    assert StoredFile.objects.filter(pk__in=[s.pk for s in stored]).count() == len(stored)


def test_a_draft_withdrawn_before_submission_expires_too(people, today, expire):
    draft = case_in_state(people, "draft", materials=attach_stored)
    services.case_withdraw(case=draft, actor=people.handler)
    assert expire(today=today + timedelta(days=91)).cases == 1
    assert not files_of(draft)


def test_a_file_another_row_still_names_stays(withdrawn, people, today, expire):
    """A unit's standing document copied into the case is the same stored file: the case lets go of it, the unit
    keeps it (row and bytes)."""
    shared = files_of(withdrawn)[0]
    UnitDocument.objects.create(unit=people.unit, code="licence", file=shared, updated_at=timezone.now(),
                                updated_by=people.handler)
    report = expire(today=today + timedelta(days=91))
    assert report.files_deleted == report.materials - 1
    assert StoredFile.objects.filter(pk=shared.pk).exists()
    assert on_disk(shared).exists()
    assert not CaseMaterial.objects.filter(case=withdrawn, file__isnull=False).exists()


def test_the_queries_do_not_grow_with_the_number_of_files(people, today, frozen_clock, expire):
    """Set-wise: one case with every material costs as many queries as one case with a single material."""
    from tests.cases.conftest import attach

    many = case_in_state(people, "withdrawn", materials=attach_stored)
    frozen_clock.shift(timedelta(days=1))
    one = case_in_state(people, "draft", materials=lambda case, by: attach(case, "id_document", by=by))
    services.case_withdraw(case=one, actor=people.handler)
    assert len(files_of(many)) > 3
    with CaptureQueriesContext(connection) as first:
        expire(today=today + timedelta(days=91))
    with CaptureQueriesContext(connection) as second:
        expire(today=today + timedelta(days=92))
    assert not files_of(many)
    assert not files_of(one)
    assert len(first.captured_queries) == len(second.captured_queries)


def test_the_daily_job_runs_it_with_the_configured_period(withdrawn, today, settings):
    settings.WITHDRAWN_FILES_RETENTION_DAYS = 10
    job = JOBS["retention.withdrawn_files"]
    assert job.func(today=today + timedelta(days=10))["cases"] == 0
    assert job.func(today=today + timedelta(days=11)) == {
        "cases": 1, "materials": withdrawn.materials.count(), "files_deleted": withdrawn.materials.count(),
    }
