"""The "文书" panel of the case and permit pages and the portal's downloads (issue 12 §7): every document with its
number, date and download link, for those who may see the case or permit; the filers' drafts marked as drafts, the
window seeing the declarations only once submitted; the stored bytes served as an attachment, each download audited.
"""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import PROFILE, TODAY
from tests.factories import case_in_state, make_association, make_ledger
from wrp.accounts.models import ApplicantProfile
from wrp.audit.models import AuditEvent
from wrp.cases.records import MASKED_COPIES
from wrp.documents.models import IssuedDocument

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def people(people):
    """The shared personas, both applicants with a complete profile, the applicant associated with `unit`, which has
    quota this year (as in tests/cases)."""
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    ApplicantProfile.objects.create(user=people.other_applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    return people



def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def approved(people):
    return case_in_state(people, "approved")


@pytest.mark.parametrize("persona", ["applicant", "handler", "clerk", "approver"])
def test_the_case_page_lists_every_issued_document_with_number_date_and_link(people, approved, persona):
    html = signed_in(getattr(people, persona)).get(f"/cases/{approved.public_id}/").content.decode()
    assert 'id="case-documents"' in html
    # a unit handler gets the unit's copies of the declarations carrying an ID number (masked, issue 11 §2) instead
    # of the records; everyone else the records alone, each listed once
    withheld = list(MASKED_COPIES) if persona == "handler" else list(MASKED_COPIES.values())
    listed = IssuedDocument.objects.filter(case=approved).exclude(kind__in=withheld)
    assert listed.filter(kind__in=[*MASKED_COPIES, *MASKED_COPIES.values()]).exists()
    for document in listed:
        assert html.count(document.title) == 1
        assert reverse("documents:issued", args=[document.pk]) in html
        if document.number:
            assert document.number in html
    for document in IssuedDocument.objects.filter(case=approved, kind__in=withheld):
        assert reverse("documents:issued", args=[document.pk]) not in html
    assert ("证件号码已遮盖" in html) == (persona == "handler")
    assert '<span class="badge">草稿</span>' not in html


def test_the_clerks_workbench_shows_the_panel_too(people, approved):
    html = signed_in(people.clerk).get(f"/clerk/cases/{approved.public_id}/").content.decode()
    decision = IssuedDocument.objects.get(case=approved, kind="decision")
    assert 'id="case-documents"' in html
    assert decision.number in html


def test_a_superseded_document_is_marked_and_the_one_replacing_it_is_not(people, approved):
    decision = IssuedDocument.objects.get(case=approved, kind="decision")
    newer = IssuedDocument.objects.get(pk=decision.pk)
    newer.pk, newer.number, newer.supersedes = None, f"{decision.number}-2", decision
    newer.save()
    html = signed_in(people.clerk).get(f"/clerk/cases/{approved.public_id}/").content.decode()
    rows = {document.pk: next(row for row in html.split("<tr")[1:]
                              if reverse("documents:issued", args=[document.pk]) in row)
            for document in (decision, newer)}
    assert rows[decision.pk].startswith(' class="muted"')
    assert "已被取代" in rows[decision.pk]
    assert "已被取代" not in rows[newer.pk]
    assert newer.number in rows[newer.pk]


@pytest.mark.parametrize("persona", ["applicant", "handler"])
def test_the_filers_see_their_draft_declarations_marked_draft(people, persona):
    case = case_in_state(people, "draft")
    html = signed_in(getattr(people, persona)).get(f"/cases/{case.public_id}/").content.decode()
    assert '<span class="badge">草稿</span>' in html
    # the unit handler's draft is the unit's copy, its ID numbers masked (issue 11 §2), and says so
    title = "附件2 诚信声明（个人版，单位留存，证件号码已遮盖）" if persona == "handler" else "附件2 诚信声明（个人版）"
    assert html.count(title) == 1
    url = reverse("documents:case_document", args=[case.public_id, "integrity_personal"])
    assert url in html
    response = signed_in(getattr(people, persona)).get(url)
    assert response.status_code == 200
    assert body(response).startswith(b"%PDF")


def test_the_window_does_not_see_the_declarations_of_a_draft(people):
    case = case_in_state(people, "draft")
    html = signed_in(people.clerk).get(f"/cases/{case.public_id}/").content.decode()
    assert "附件2 诚信声明（个人版）" not in html
    url = reverse("documents:case_document", args=[case.public_id, "integrity_personal"])
    assert signed_in(people.clerk).get(url).status_code == 404


def test_once_submitted_everyone_who_sees_the_case_gets_the_frozen_declaration(people):
    case = case_in_state(people, "submitted")
    frozen = IssuedDocument.objects.get(case=case, kind="integrity_personal")
    # the unit handler's is the unit's copy frozen with it, its ID numbers masked (issue 11 §2)
    unit_copy = IssuedDocument.objects.get(case=case, kind="integrity_personal_masked")
    assert unit_copy.sha256 != frozen.sha256
    url = reverse("documents:case_document", args=[case.public_id, "integrity_personal"])
    for persona, document in (("clerk", frozen), ("handler", unit_copy), ("applicant", frozen)):
        response = signed_in(getattr(people, persona)).get(url)
        assert hashlib.sha256(body(response)).hexdigest() == document.sha256, persona


@pytest.mark.parametrize("persona", ["applicant", "handler", "clerk", "approver"])
def test_a_download_is_the_stored_attachment_and_is_audited(people, approved, persona):
    decision = IssuedDocument.objects.get(case=approved, kind="decision")
    response = signed_in(getattr(people, persona)).get(reverse("documents:issued", args=[decision.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(body(response)).hexdigest() == decision.sha256
    assert AuditEvent.objects.filter(action="document.download", object_id=str(decision.pk)).exists()


@pytest.mark.parametrize("persona", ["other_applicant", "other_handler", "admin"])
def test_others_get_404_and_no_panel(people, approved, persona):
    decision = IssuedDocument.objects.get(case=approved, kind="decision")
    client = signed_in(getattr(people, persona))
    assert client.get(reverse("documents:issued", args=[decision.pk])).status_code == 404
    assert client.get(f"/cases/{approved.public_id}/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(people, approved):
    decision = IssuedDocument.objects.get(case=approved, kind="decision")
    response = Client().get(reverse("documents:issued", args=[decision.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_permit_page_lists_the_certificate_and_serves_the_current_one(people, approved):
    certificate = IssuedDocument.objects.get(permit=approved.permit, kind="certificate")
    html = signed_in(people.applicant).get(reverse("portal:applicant_permit")).content.decode()
    assert 'id="permit-documents"' in html
    assert certificate.number in html
    response = signed_in(people.applicant).get(reverse("documents:permit_certificate", args=[approved.permit.number]))
    assert hashlib.sha256(body(response)).hexdigest() == certificate.sha256
    other = signed_in(people.other_applicant)
    assert other.get(reverse("documents:permit_certificate", args=[approved.permit.number])).status_code == 404
    assert other.get(reverse("documents:issued", args=[certificate.pk])).status_code == 404


def test_a_decision_downloaded_before_and_after_renaming_the_unit_is_byte_identical(people, approved):
    url = reverse("documents:issued", args=[IssuedDocument.objects.get(case=approved, kind="decision").pk])
    before = body(signed_in(people.handler).get(url))
    people.unit.name = "北京戊科技有限公司"
    people.unit.save()
    assert body(signed_in(people.handler).get(url)) == before
