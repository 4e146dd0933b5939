"""The API gives a unit handler the declarations with masked ID numbers only — listed, downloaded and as drafts —
and the applicant their own whole (issue 11 §2)."""

from __future__ import annotations

import pytest

from tests.cases.conftest import attach_all, free_slot
from tests.documents.printed import MASKED_ID, WHOLE_ID, needs_pdftotext, pdf_text
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import user_set_id_number
from wrp.cases.services import case_open, case_submit
from wrp.documents.models import IssuedDocument

pytestmark = pytest.mark.django_db

OWNER_ID = "110105196203150018"
PARTICULARS = {"since": "2024-03-01", "address": "北京市朝阳区芍药居北里101号楼3单元502室", "owner_name": "李四",
               "owner_id_number": OWNER_ID, "relationship": "父母"}
WITHHELD = {"integrity_personal", "housing_loan"}


@pytest.fixture
def draft(people):
    people.applicant.real_name = "张三丰"
    people.applicant.save(update_fields=["real_name"])
    user_set_id_number(user=people.applicant, id_number=WHOLE_ID, actor=None)
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts["housing"] = {"kind": "relative", "lease_end": None}
    profile.save()
    return case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant,
                     answers={"housing_loan": PARTICULARS})


@pytest.fixture
def submitted(people, draft):
    attach_all(draft, by=people.handler)
    return case_submit(case=draft, actor=people.handler, slot=free_slot())


def _files(caller, case) -> dict[str, bytes]:
    listing = caller.get(f"/cases/{case.public_id}/documents")
    assert listing.status_code == 200
    out = {}
    for item in listing.json()["items"]:
        response = caller.client.get(item["download_url"], headers=caller.headers)
        assert response.status_code == 200, item
        out[item["kind"]] = b"".join(response.streaming_content) if response.streaming else response.content
    return out


@needs_pdftotext
def test_the_unit_handler_receives_only_masked_numbers(api, submitted, tmp_path):
    files = _files(api.handler, submitted)
    assert {"integrity_personal_masked", "housing_loan_masked"} <= set(files)
    assert not WITHHELD & set(files)
    for data in files.values():
        assert WHOLE_ID.encode() not in data
        assert OWNER_ID.encode() not in data
        text = pdf_text(data, tmp_path)
        assert WHOLE_ID not in text
        assert OWNER_ID not in text
    assert MASKED_ID in pdf_text(files["integrity_personal_masked"], tmp_path)


def test_the_unit_handler_is_refused_the_record_by_its_id(api, submitted):
    record = IssuedDocument.objects.get(case=submitted, kind="integrity_personal")
    assert api.handler.get(f"/documents/{record.pk}/file").status_code == 404
    assert api.other_handler.get(f"/documents/{record.pk}/file").status_code == 404
    assert api.applicant.get(f"/documents/{record.pk}/file").status_code == 200


@needs_pdftotext
def test_the_applicant_receives_their_own_whole_numbers(api, submitted, tmp_path):
    files = _files(api.applicant, submitted)
    assert set(files) >= WITHHELD
    assert WHOLE_ID in pdf_text(files["integrity_personal"], tmp_path)
    assert OWNER_ID in pdf_text(files["housing_loan"], tmp_path)


@needs_pdftotext
def test_the_unit_handlers_drafts_are_masked(api, draft, tmp_path):
    files = _files(api.handler, draft)
    assert {"integrity_personal", "housing_loan"} <= set(files)
    for data in files.values():
        text = pdf_text(data, tmp_path)
        assert WHOLE_ID not in text
        assert OWNER_ID not in text
    assert WHOLE_ID in pdf_text(_files(api.applicant, draft)["integrity_personal"], tmp_path)
