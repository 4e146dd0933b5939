"""The demo data set spread over the past weeks (`wrp.demo.aged`): the clerk's and the bureau's queues show every face
of the clock — amber near the limit, red overdue, grey paused for correction, and a case deemed accepted — the trail
is dated in the order it was written and still verifies. To stay quick, only the setup day and the aged cases are made
(the whole `wrp demo` is tests/cases/test_case_support.py's), once for all the checks."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from wrp.accounts.models import User
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_verify
from wrp.cases import clock
from wrp.cases.acceptance import acceptance_view
from wrp.cases.models import Case, CaseState
from wrp.demo.aged import AGED
from wrp.demo.dataset import SETUP_BEFORE, demo_aged, demo_setup
from wrp.demo.steps import Demo, demo_pdf
from wrp.demo.timeline import DemoClock, one_hash_per_password

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def case_of(username: str) -> Case:
    return Case.objects.get(applicant__username=username)


def queue_row(client: Client, url: str, case: Case) -> str:
    """The table row of the case in a queue, looking through its pages."""
    for page in range(1, 10):
        text = client.get(url, {"kind": "initial", "page": page}).content.decode()
        for row in re.findall(r"<tr\b.*?</tr>", text, flags=re.S):
            if case.public_id in row:
                return row
        if f"page={page + 1}" not in text:
            break
    raise AssertionError(f"{case.public_id} is not in {url}")


def test_the_demo_shows_every_face_of_the_clock(today, private_media):
    with one_hash_per_password():
        demo = Demo(today=today, pdf=demo_pdf())
        star, _hospital = demo_setup(demo)
        demo_aged(demo, star)
    # The clock each queue row shows, from the case's own fields.
    overdue, soon, bureau_soon = case_of("clock_overdue"), case_of("clock_soon"), case_of("clock_bureau_soon")
    paused, deemed = case_of("clock_paused"), case_of("clock_deemed")
    assert clock.view(overdue, today=today).overdue_days == 3
    assert clock.view(soon, today=today).working_days_left == 3
    assert (bureau_soon.state, clock.view(bureau_soon, today=today).working_days_left) == (
        CaseState.PENDING_APPROVAL, 2)
    paused_clock = clock.view(paused, today=today)
    assert (paused.state, paused_clock.paused, paused_clock.working_days_left) == (CaseState.RETURNED, True, 17)
    assert acceptance_view(deemed, today=today).how == "deemed"
    assert deemed.state == CaseState.IN_REVIEW
    assert not clock.view(deemed, today=today).overdue
    # Accepted explicitly on the day after filing: the window kept its 5 working days for those two.
    assert {overdue.acceptance, soon.acceptance} == {"explicit"}

    # The clerk's queue and the bureau's show them in colour and in words.
    clerk = Client()
    clerk.force_login(User.objects.get(username="clerk"))
    assert 'class="clock overdue"' in queue_row(clerk, "/clerk/", overdue)
    assert 'class="clock soon"' in queue_row(clerk, "/clerk/", soon)
    assert 'class="clock paused"' in queue_row(clerk, "/clerk/", paused)
    assert "视为受理" in queue_row(clerk, "/clerk/", deemed)
    approver = Client()
    approver.force_login(User.objects.get(username="approver"))
    assert 'class="clock soon"' in queue_row(approver, "/bureau/", bureau_soon)

    # Spread over the past weeks, in the order things happened: the units opened SETUP_BEFORE working days ago.
    opened = timezone.localdate(Case.objects.filter(kind="unit_opening").earliest("created_at").created_at)
    assert opened == DemoClock(today).workday(SETUP_BEFORE)
    assert today - opened >= timedelta(weeks=6)
    assert timezone.localdate(case_of("initial_approved").decided_at) < today - timedelta(weeks=4)
    moments = list(AuditEvent.objects.order_by("id").values_list("at", flat=True))
    assert moments == sorted(moments)
    assert audit_verify().ok

    # The README lists the accounts of the aged cases and what they show.
    readme = README.read_text(encoding="utf-8")
    assert all(f"`{username}`" in readme for username, _steps in AGED)
