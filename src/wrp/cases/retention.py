"""Retention of the files of withdrawn cases (issue 11 §8): a withdrawn case will not be decided, and the personal
documents uploaded for it (ID copies, contracts, tax records) are kept no longer than WITHDRAWN_FILES_RETENTION_DAYS
after the withdrawal. The daily job `retention.withdrawn_files` calls `withdrawn_files_expire`.

What stays: the case and its timeline (a `files_expired` entry naming the materials), each CaseMaterial row of its
checklist — back to `missing`, without file, uploader or time, as the case page already shows a material never
uploaded —, the snapshots and the audit chain that hold each removed file's SHA-256, and the documents the platform
issued (declarations, receipts), which are the record of what was submitted. What goes: the StoredFile rows that no
other row refers to (a unit's standing document copied into the case, or the same file in another case, stays) and
their bytes, unlinked after the commit. A crash between the commit and the unlinking leaves files without a row,
which the sweep's `orphan_files_remove` deletes; a second run finds nothing left to do.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.models import Case, CaseEvent, CaseMaterial, CaseState, MaterialStatus
from wrp.core.days import day_start
from wrp.documents.models import StoredFile
from wrp.documents.services import StoredFileCorrupted, private_delete

logger = logging.getLogger(__name__)

BATCH = 200  # cases per transaction: a bounded lock time however many expire on one day


@dataclass(frozen=True)
class RetentionReport:
    cases: int  # withdrawn cases whose files expired in this run
    materials: int  # materials detached from their files
    files_deleted: int  # stored files deleted (rows and bytes)


def withdrawn_files_expire(*, today: date, days: int | None = None) -> RetentionReport:
    """Remove the uploaded files of cases withdrawn more than `days` (default WITHDRAWN_FILES_RETENTION_DAYS) before
    the start of `today`.

    Steps, per batch of cases in one audited transaction: lock the due cases and their materials with a file; detach
    the files (one UPDATE); add a `files_expired` timeline entry and a `case.files_expired` audit event per case;
    delete the StoredFile rows no other row refers to; unlink their bytes once the transaction has committed.
    """
    days = settings.WITHDRAWN_FILES_RETENTION_DAYS if days is None else days
    cutoff = day_start(today - timedelta(days=days))
    cases = materials = files = 0
    while True:
        with audited_atomic():
            due = list(_due(cutoff)[:BATCH])
            if not due:
                break
            detached, deleted = _expire(due)
        cases, materials, files = cases + len(due), materials + detached, files + deleted
    return RetentionReport(cases=cases, materials=materials, files_deleted=files)


def _due(cutoff: datetime):  # type: ignore[no-untyped-def]
    """Withdrawn cases, withdrawn before `cutoff`, that still have a material with a file (locked, oldest first)."""
    withdrawn_before = CaseEvent.objects.filter(case=OuterRef("pk"), action="withdraw", at__lt=cutoff)
    with_file = CaseMaterial.objects.filter(case=OuterRef("pk"), file__isnull=False)
    return (
        Case.objects.select_for_update()
        .filter(Exists(withdrawn_before), Exists(with_file), state=CaseState.WITHDRAWN)
        .order_by("pk")
    )


def _expire(cases: list[Case]) -> tuple[int, int]:
    materials = list(
        CaseMaterial.objects.select_for_update()
        .filter(case__in=cases, file__isnull=False)
        .select_related("file")
        .order_by("case_id", "id")
    )
    CaseMaterial.objects.filter(pk__in=[material.pk for material in materials]).update(
        file=None, status=MaterialStatus.MISSING, reason="", uploaded_at=None, uploaded_by=None
    )
    now = timezone.now()
    by_case: dict[int, list[CaseMaterial]] = {}
    for material in materials:
        by_case.setdefault(material.case_id, []).append(material)
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, at=now, action="files_expired", actor=None, from_state=case.state, to_state=case.state,
                  detail={"materials": [material.code for material in by_case[case.pk]]})
        for case in cases
    )
    candidates = {material.file_id: material.file for material in materials}
    referenced = _still_referenced(candidates)
    gone = [stored for pk, stored in candidates.items() if pk not in referenced]
    StoredFile.objects.filter(pk__in=[stored.pk for stored in gone]).delete()
    names = [stored.storage_name for stored in gone]
    transaction.on_commit(lambda: _unlink(names))
    for case in cases:
        audit_record(
            actor=None, action="case.files_expired", obj=case,
            changes={
                "materials": [material.code for material in by_case[case.pk]],
                "sha256": [material.file.sha256 for material in by_case[case.pk]],
            },
        )
    return len(materials), len(gone)


def _still_referenced(file_ids: Iterable[int]) -> set[int]:
    """Which of `file_ids` a row of any model still names: every foreign key to StoredFile, found from the model
    metadata (hidden `related_name="+"` ones included), so a reference added later is not forgotten here."""
    file_ids = list(file_ids)
    referenced: set[int] = set()
    for relation in StoredFile._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        column = relation.field.attname
        rows = relation.related_model._default_manager.filter(**{f"{column}__in": file_ids})
        referenced.update(rows.values_list(column, flat=True))
    return referenced


def _unlink(storage_names: list[str]) -> None:
    """Delete the bytes through the private storage (the local folder or the S3 bucket)."""
    for name in storage_names:
        try:
            private_delete(name)
        except StoredFileCorrupted:
            logger.error("stored file name %r points outside the private files; not deleted", name)
        except Exception:  # the store out of reach after the commit: the daily sweep's orphan removal deletes it
            logger.exception("stored file %s not deleted now; the daily sweep removes it", name)
