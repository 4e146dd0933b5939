"""Issued documents as records (issue 12 §4, POLICY §11 L-RECORD): each notice, decision and certificate is
generated once when the act happens, numbered (文号, sequential per series and year, no gaps, no duplicates),
stored privately with its SHA-256 and never rebuilt; later changes supersede; declarations are frozen at submission.
"""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection, transaction

from tests.cases.conftest import PROFILE, TODAY
from tests.documents.printed import needs_pdftotext, pdf_text
from tests.factories import case_in_state, make_association, make_ledger
from tests.race import run_concurrently
from wrp.accounts.models import ApplicantProfile
from wrp.audit.models import AuditEvent
from wrp.cases import records
from wrp.cases.models import CaseState
from wrp.cases.services import case_approve, case_reject
from wrp.core.errors import Invalid
from wrp.documents.issuing import document_issue, number_next
from wrp.documents.models import DocumentCounter, IssuedDocument
from wrp.documents.printing.data import BUREAU_NAME
from wrp.documents.services import open_file
from wrp.documents.signing import verify_pdf


@pytest.fixture
def people(people):
    """The shared personas, both applicants with a complete profile, the applicant associated with `unit`, which has
    quota this year (as in tests/cases)."""
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    ApplicantProfile.objects.create(user=people.other_applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    return people



def _issue_decision(case, actor):
    """The decision the act issued (wrp.cases.services calls `records.on_decided` inside its transaction)."""
    return IssuedDocument.objects.get(case=case, kind="decision", issued_by=actor)


def approved_initial(people):
    case = case_in_state(people, "pending_approval")
    case = case_approve(case=case, actor=people.approver)
    return case


def test_numbers_follow_one_another_per_series_and_year(db, settings):
    settings.DOCUMENT_NUMBER_FORMAT = "朝人社工居〔{year}〕第{seq:06d}号"
    with transaction.atomic():
        first = number_next(series="bureau", year=2026)
        second = number_next(series="bureau", year=2026)
        other_year = number_next(series="bureau", year=2027)
        window = number_next(series="window", year=2026)
    assert (first, second) == ("朝人社工居〔2026〕第000001号", "朝人社工居〔2026〕第000002号")
    assert other_year == "朝人社工居〔2027〕第000001号"
    assert window.endswith("〔2026〕第000001号")
    assert window != first


def test_a_rolled_back_act_gives_its_number_back(db):
    def failing_act():
        with transaction.atomic():
            number_next(series="bureau", year=2026)
            raise RuntimeError("the act failed")

    with pytest.raises(RuntimeError):
        failing_act()
    with transaction.atomic():
        assert number_next(series="bureau", year=2026).endswith("第000001号")


def test_an_issued_document_is_stored_with_its_hash_and_its_number_printed_inside(people, approver):
    case = case_in_state(people, "pending_approval")
    printed = []

    def build(number):
        printed.append(number)
        return _tiny_pdf(number)

    with transaction.atomic():
        document = records.issue_case_document(case=case, kind="extension", build=build, actor=approver)
    assert printed == [document.number]
    assert document.number.startswith("朝人社工居〔")
    data = open_file(document.file)
    assert hashlib.sha256(data).hexdigest() == document.sha256 == document.file.sha256
    check = verify_pdf(data)
    assert check.signed
    assert check.intact
    assert check.valid
    assert document.case == case
    assert document.case_version == case.version
    assert document.issued_by == approver
    assert AuditEvent.objects.filter(action="document.issue", object_id=str(document.pk)).exists()


def test_a_later_document_of_the_same_kind_supersedes_and_keeps_the_first(people, approver):
    case = case_in_state(people, "pending_approval")
    built = {}

    def build(number):
        built[number] = _tiny_pdf(number)
        return built[number]

    with transaction.atomic():
        first = records.issue_case_document(case=case, kind="extension", build=build, actor=approver)
        second = records.issue_case_document(case=case, kind="extension", build=build, actor=approver)
    first.refresh_from_db()
    assert second.supersedes == first
    assert not first.is_current
    assert second.is_current
    stored = open_file(first.file)
    assert stored.startswith(built[first.number])  # never overwritten: what was built, then the signature
    assert hashlib.sha256(stored).hexdigest() == first.sha256


def test_approval_issues_the_decision_and_the_certificate_at_the_act(people):
    case = approved_initial(people)
    _issue_decision(case, people.approver)
    decision = IssuedDocument.objects.get(case=case, kind="decision")
    certificate = IssuedDocument.objects.get(permit=case.permit, kind="certificate")
    assert decision.title == "准予办理决定书"
    assert decision.number
    assert certificate.case == case
    assert certificate.number
    assert certificate.number != decision.number


@needs_pdftotext
def test_an_approval_says_what_was_approved_and_shows_its_number_and_organ(people, tmp_path):
    case = approved_initial(people)
    decision = _issue_decision(case, people.approver)
    text = pdf_text(open_file(decision.file), tmp_path)
    assert decision.number in text
    assert "核发工作居住证，有效期三年" in text
    assert case.permit.number in text
    assert BUREAU_NAME in text
    assert "applicant" not in text  # the login name is never printed


@needs_pdftotext
def test_a_rejection_lists_every_reason_and_the_remedies(people, tmp_path, settings):
    settings.REMEDY_RECONSIDERATION_BODY = "北京市朝阳区人民政府"
    settings.REMEDY_COURT = "有管辖权的人民法院"
    case = case_in_state(people, "pending_approval")
    case = case_reject(case=case, actor=people.approver, reason="劳动合同剩余期限不足。\n社保缴费记录不连续。")
    decision = _issue_decision(case, people.approver)
    text = pdf_text(open_file(decision.file), tmp_path)
    assert "不予办理决定书" in text
    assert decision.number in text
    assert "劳动合同剩余期限不足。" in text
    assert "社保缴费记录不连续。" in text
    assert "60日内向北京市朝阳区人民政府申请行政复议" in text
    assert "第二十条" in text
    assert "6个月内向有管辖权的人民法院提起行政诉讼" in text
    assert "第四十六条" in text


def test_a_decision_downloaded_before_and_after_renaming_the_unit_is_byte_identical(people):
    case = approved_initial(people)
    decision = _issue_decision(case, people.approver)
    before = open_file(IssuedDocument.objects.get(pk=decision.pk).file)
    people.unit.name = "北京丙科技有限公司"
    people.unit.save()
    after = open_file(records.document_for_download(people.handler, decision.pk).file)
    assert after == before


def test_the_declaration_signed_stays_identical_after_a_name_change(people):
    case = case_in_state(people, "submitted")  # the submission froze the declarations (records.on_submitted)
    personal = IssuedDocument.objects.get(case=case, kind="integrity_personal")
    before = open_file(personal.file)
    assert personal.number == ""
    assert personal.case_version == case.version
    people.applicant.real_name = "张三"
    people.applicant.save()
    assert open_file(records.document_for_download(people.clerk, personal.pk).file) == before


def test_a_missing_real_name_stops_the_act_naming_whose(people):
    case = case_in_state(people, "pending_approval")
    people.applicant.real_name = ""
    people.applicant.save()
    case.refresh_from_db()
    with pytest.raises(Invalid) as refused:
        records.require_real_names(case)
    assert "applicant" in str(refused.value.fields["applicant"])
    assert refused.value.codes == {"applicant": "real_name_missing"}


def test_a_permit_certificate_is_not_issued_for_a_holder_without_a_real_name(people):
    case = case_in_state(people, "pending_approval")
    people.applicant.real_name = ""
    people.applicant.save()
    with pytest.raises(Invalid):
        case_approve(case=case, actor=people.approver)
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_APPROVAL
    assert not IssuedDocument.objects.filter(kind__in=("decision", "certificate")).exists()


def test_find_document_needs_the_number_and_the_hash(people):
    case = approved_initial(people)
    decision = _issue_decision(case, people.approver)
    assert records.find_document(decision.number, decision.sha256) == decision
    assert records.find_document(decision.number, "0" * 64) is None
    assert records.find_document("", decision.sha256) is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_get_distinct_gapless_numbers(people):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer: the race needs PostgreSQL (DATABASE_URL=postgres://…)")
    case = case_in_state(people, "pending_approval")

    def issue():
        with transaction.atomic():
            return document_issue(kind="extension", build=_tiny_pdf, actor=people.approver, case=None,
                                  permit=None).number

    numbers = run_concurrently(issue, 12)
    assert all(isinstance(number, str) for number in numbers), numbers
    assert sorted(int(number[-7:-1]) for number in numbers) == list(range(1, 13))
    assert DocumentCounter.objects.get(series="bureau").last == 12
    assert case.pk  # the personas exist in the committed database


def _tiny_pdf(number: str) -> bytes:
    from wrp.documents.printing.layout import PLAIN, para, pdf_bytes

    return pdf_bytes([para(PLAIN, f"文号 {number}")], title="test", subject="test", footer="")
