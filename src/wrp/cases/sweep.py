"""The daily sweep (`wrp sweep`): expire permits past their validity, mark overdue cases, count late releases, delete
orphan files and tidy the upload checks (`wrp.documents.uploads.upload_checks_tidy`).

Idempotent and safe to run twice or concurrently: each step only moves what is still due, under row locks, and a
second run finds nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wrp.audit.services import audit_record, audited_atomic
from wrp.cases import clock
from wrp.cases.models import Case
from wrp.cases.workflow import RUNNING
from wrp.documents.services import orphan_files_remove
from wrp.documents.uploads import upload_checks_tidy
from wrp.permits.services import permits_expire
from wrp.units.models import Association


@dataclass(frozen=True)
class SweepReport:
    permits_expired: int
    cases_marked_overdue: int
    late_releases: int
    orphan_files_removed: int
    upload_checks_tidied: int


def _mark_overdue(today: date) -> int:
    marked = 0
    candidates = Case.objects.filter(state__in=RUNNING, overdue=False, due_on__lt=today).values_list("pk", flat=True)
    for pk in candidates:
        with audited_atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.overdue or case.state not in RUNNING or not clock.view(case, today=today).overdue:
                continue
            case.overdue = True
            case.save(update_fields=["overdue"])
            audit_record(actor=None, action="case.overdue", obj=case, changes={"overdue": [False, True]})
            marked += 1
    return marked


def sweep(*, today: date) -> SweepReport:
    return SweepReport(
        permits_expired=permits_expire(today=today),
        cases_marked_overdue=_mark_overdue(today),
        late_releases=Association.objects.filter(late=True).count(),
        orphan_files_removed=orphan_files_remove(),
        upload_checks_tidied=upload_checks_tidy(),
    )
