"""The scale data set (`wrp demo --scale N`, wrp.demo.scale): 200 cases on top of the demo's, checked against the
invariants the services keep — quota ledgers, one current permit per holder, one open case per purpose, valid and
distinct resident ID numbers, an intact audit trail — and seen by the demo's clerk, handler and applicant through
the selectors the pages use. Built once (the demo takes most of the time) and checked by one test."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from wrp.accounts import crypto
from wrp.accounts.models import Role, User
from wrp.audit.services import audit_verify
from wrp.cases.kinds import QUOTA_KINDS
from wrp.cases.models import Case, CaseEvent, CaseMaterial, CaseState
from wrp.cases.selectors import cases_listed, cases_visible_to, clerk_queue
from wrp.cases.workflow import OPEN_STATES
from wrp.permits.models import Permit, PermitStatus
from wrp.policy.identifiers import is_valid_resident_id
from wrp.quotas.models import QuotaLedger
from wrp.units.models import Association, AssociationState

pytestmark = pytest.mark.django_db

N = 200


def test_the_demo_then_the_scale_data_set_adds_n_consistent_cases_the_demo_accounts_see(today, private_media):
    call_command("demo")
    _the_demo_has_every_role_and_every_state_of_every_kind()
    before = Case.objects.count()
    call_command("demo", "--scale", str(N))

    scale = Case.objects.exclude(pk__in=Case.objects.order_by("id")[:before].values("pk"))
    assert scale.count() == N
    _every_kind_and_the_states_of_a_queue(scale)
    _dates_and_history(scale, today)
    _quota_ledgers_match_the_cases()
    _one_current_permit_per_holder_and_permits_of_every_status()
    _people(scale)
    _seen_by_the_demo_accounts(before)
    assert audit_verify().ok


def _the_demo_has_every_role_and_every_state_of_every_kind():
    """The demo data set alone (built once here, since building it takes most of this test's time)."""
    assert set(User.objects.values_list("role", flat=True)) == set(Role)
    pairs = set(Case.objects.values_list("kind", "state"))
    for kind in ("unit_opening", "unit_transfer", "initial", "employer_change", "children_change", "info_change",
                 "renewal"):
        assert {state for k, state in pairs if k == kind} >= {"draft", "submitted", "in_review", "returned",
                                                               "approved", "rejected", "withdrawn"}
    assert {("initial", "pending_approval"), ("renewal", "pending_approval"),
            ("initial", "awaiting_unit")} <= pairs
    assert audit_verify().ok
    with pytest.raises(Exception, match="already has users"):
        call_command("demo")
    call_command("demo", "--if-empty")  # quietly does nothing


def _every_kind_and_the_states_of_a_queue(scale):
    kinds = Counter(scale.values_list("kind", flat=True))
    assert set(kinds) >= {"initial", "renewal", "employer_change", "children_change", "info_change", "unit_opening"}
    assert kinds["initial"] > kinds["renewal"] > kinds["children_change"]
    states = Counter(scale.values_list("state", flat=True))
    assert states[CaseState.APPROVED] > N / 2  # two years of history: most are decided
    assert sum(states[state] for state in OPEN_STATES) > 0


def _dates_and_history(scale, today):
    days = [case.created_at.date() for case in scale]
    assert (max(days) - min(days)).days > 365
    assert not scale.filter(state__in=OPEN_STATES, due_on__isnull=True).exists()
    assert not scale.filter(state__in=OPEN_STATES, acceptance_due__isnull=True).exists()
    assert not scale.filter(state=CaseState.RETURNED, paused_on__isnull=True).exists()
    assert not scale.filter(state__in=[CaseState.APPROVED, CaseState.REJECTED], decided_at__isnull=True).exists()
    submitted = scale.exclude(state__in=[CaseState.DRAFT, CaseState.AWAITING_UNIT, CaseState.WITHDRAWN])
    assert not submitted.filter(Q(assessment__isnull=True) | Q(frozen_facts__isnull=True)).exists()
    assert CaseMaterial.objects.filter(case__in=submitted).values("case").distinct().count() == submitted.count()
    assert not scale.annotate(n_events=Count("events")).filter(n_events=0).exists()
    assert not CaseEvent.objects.filter(case__in=scale, at__lt=scale.order_by("created_at")[0].created_at).exists()
    late = [case for case in scale if case.updated_at < case.created_at or case.created_at.date() > today]
    assert late == []


def _quota_ledgers_match_the_cases():
    for ledger in QuotaLedger.objects.all():
        assert ledger.granted >= ledger.reserved + ledger.used
        held = Case.objects.filter(unit_id=ledger.unit_id, quota_year=ledger.year, kind__in=QUOTA_KINDS,
                                   state__in=OPEN_STATES).count()
        assert ledger.reserved == held, (ledger.unit_id, ledger.year)
    assert not Case.objects.filter(quota_year__isnull=False).exclude(state__in=OPEN_STATES).exists()


def _one_current_permit_per_holder_and_permits_of_every_status():
    current = Permit.objects.filter(status__in=[PermitStatus.VALID, PermitStatus.SUSPENDED])
    assert not current.values("holder").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert {PermitStatus.VALID, PermitStatus.SUSPENDED, PermitStatus.EXPIRED} <= set(
        Permit.objects.values_list("status", flat=True))
    assert Permit.objects.count() >= N  # as many permits as cases, by default
    lapsed = Permit.objects.filter(status__in=[PermitStatus.VALID, PermitStatus.SUSPENDED],
                                   valid_until__lt=current.order_by("valid_until")[0].valid_until)
    assert not lapsed.exists()
    approved = Case.objects.filter(kind="initial", state=CaseState.APPROVED)
    assert not approved.filter(permit__isnull=True).exists()
    suspended = Permit.objects.filter(status=PermitStatus.SUSPENDED)
    assert not suspended.filter(holder__associations__unit=None).exists()


def _people(scale):
    applicants = User.objects.filter(role=Role.APPLICANT, username__startswith="sa")
    sample = list(applicants.order_by("id")[:50])
    for person in sample:
        number = crypto.decrypt(person.id_number_encrypted, purpose=crypto.ID_NUMBER)
        assert is_valid_resident_id(number)
        assert person.id_number_hash == crypto.keyed_hash(number, purpose=crypto.ID_NUMBER)
        assert person.id_number_masked == number[:6] + "*" * 8 + number[14:]
    assert applicants.values("id_number_hash").distinct().count() == applicants.count()
    active = Association.objects.filter(state=AssociationState.ACTIVE)
    assert not active.values("applicant").annotate(n=Count("id")).filter(n__gt=1).exists()
    for case in scale.filter(applicant__isnull=False, state__in=OPEN_STATES)[:30]:
        assert active.filter(applicant_id=case.applicant_id, unit_id=case.unit_id).exists()


def _seen_by_the_demo_accounts(before):
    clerk, hr, applicant = (User.objects.get(username=name) for name in ("clerk", "hr", "applicant"))
    assert cases_visible_to(clerk).count() == before + N
    assert clerk_queue(clerk).count() == Case.objects.filter(state__in=OPEN_STATES).count()
    assert cases_visible_to(hr).count() > 0
    assert cases_listed(applicant).count() > 1  # the draft and decided applications of the past
