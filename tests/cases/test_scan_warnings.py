"""The scan pre-checks' warnings on a case's materials: passed through, `not_colour` for colour materials only, and
`duplicate` for one file uploaded for two materials of the case."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import translation

from tests.documents.test_scanchecks import blank, document, scan
from tests.factories import make_association
from wrp.cases.materials import material_upload
from wrp.cases.models import MaterialStatus
from wrp.cases.services import case_open, case_withdraw
from wrp.documents.models import StoredFile
from wrp.documents.pdfcheck import Sanitised
from wrp.documents.scanwords import warning_sentence
from wrp.policy.materials import MATERIALS

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(people, private_media):
    return case_open(actor=people.applicant, kind="initial", unit=people.unit)


def upload(case, code, data, people):
    return material_upload(case=case, code=code, actor=people.applicant, data=data, original_name=f"{code}.pdf")


def test_a_grey_scan_of_a_material_wanted_in_colour_warns_not_colour_on_its_page(case, people):
    assert MATERIALS["hukou_book"].colour_original
    material = upload(case, "hukou_book", scan(document(), document(colour=False).convert("L")), people)
    assert material.file.warnings == [{"code": "not_colour", "pages": [2]}]


def test_a_grey_scan_of_a_material_not_wanted_in_colour_gets_no_not_colour(case, people):
    assert not MATERIALS["taxable_income_12m"].colour_original  # a print of the tax client's records
    material = upload(case, "taxable_income_12m", scan(document(colour=False).convert("L")), people)
    assert material.file.warnings == []


def test_the_scan_warnings_are_stored_with_the_file_in_the_contracts_order(case, people):
    data = scan(document(dpi=72, colour=False).convert("L"), blank(dpi=72), dpi=72)
    material = upload(case, "hukou_book", data, people)
    expected = [
        {"code": "blank_page", "pages": [2]},
        {"code": "low_resolution", "pages": [1]},
        {"code": "not_colour", "pages": [1]},
    ]
    assert material.file.warnings == expected
    assert StoredFile.objects.get(pk=material.file_id).warnings == expected


def test_the_same_file_for_two_materials_of_a_case_warns_duplicate_and_keeps_both(case, people):
    data = scan(document())
    first = upload(case, "hukou_book", data, people)
    second = upload(case, "labour_contract", data, people)
    assert first.file.warnings == []
    assert second.file.warnings == [{"code": "duplicate", "pages": [], "other_material": "hukou_book"}]
    assert first.file.sha256 == second.file.sha256
    assert sorted(case.materials.values_list("code", "status")) == [
        ("hukou_book", MaterialStatus.UPLOADED),
        ("labour_contract", MaterialStatus.UPLOADED),
    ]


def test_the_same_file_uploaded_again_for_the_same_material_is_no_duplicate(case, people):
    data = scan(document())
    upload(case, "hukou_book", data, people)
    assert upload(case, "hukou_book", data, people).file.warnings == []


def test_the_same_file_as_another_material_of_an_earlier_case_of_the_unit_is_a_duplicate_naming_it(case, people):
    data = scan(document())
    upload(case, "hukou_book", data, people)
    case_withdraw(case=case, actor=people.applicant)  # one open initial case per applicant (issue 11 §9)
    other = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    material = material_upload(case=other, code="labour_contract", actor=people.handler, data=data)
    assert material.file.warnings == [
        {"code": "duplicate", "pages": [], "other_material": "hukou_book", "other_case": case.public_id}
    ]
    with translation.override("zh-hans"):
        assert warning_sentence(material.file.warnings[0]) == (
            f"本文件与案件 {case.public_id} 的“申请人户口本”完全相同，请确认没有传错文件。"
        )


def test_the_same_material_of_the_same_applicant_in_another_case_is_no_duplicate(case, people):
    """Their hukou book again in a later case: expected, not a mistake."""
    data = scan(document())
    upload(case, "hukou_book", data, people)
    case_withdraw(case=case, actor=people.applicant)  # one open initial case per applicant (issue 11 §9)
    other = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    assert material_upload(case=other, code="hukou_book", actor=people.handler, data=data).file.warnings == []


def test_another_persons_case_is_named_only_to_whom_may_see_it(case, people):
    """The handler sees every case of the unit; another applicant sees only their own, so no duplicate is named."""
    data = scan(document())
    upload(case, "labour_contract", data, people)
    stranger = people.other_applicant
    make_association(stranger, people.unit)
    theirs = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=stranger)
    by_handler = material_upload(case=theirs, code="labour_contract", actor=people.handler, data=data)
    assert by_handler.file.warnings == [
        {"code": "duplicate", "pages": [], "other_material": "labour_contract", "other_case": case.public_id}
    ]
    mine = upload(case, "hukou_book", scan(document(), document()), people)
    assert mine.file.warnings == []
    yours = material_upload(case=theirs, code="hukou_book", actor=stranger, data=scan(document(), document()))
    assert yours.file.warnings == []  # the same file is in a case the stranger may not see: nothing is said


def test_a_file_replaced_by_another_no_longer_counts_as_a_duplicate(case, people):
    data = scan(document())
    upload(case, "hukou_book", data, people)
    upload(case, "hukou_book", scan(document(), document()), people)
    assert upload(case, "labour_contract", data, people).file.warnings == []


def test_pdfs_the_platform_made_itself_are_not_reported_as_duplicates(case, people):
    data = scan(document())
    safe = Sanitised(
        pdf=data, pages=1, sha256=hashlib.sha256(data).hexdigest(), warnings=[{"code": "rotated", "pages": [1]}]
    )
    for code in ("hukou_book", "labour_contract"):
        material = material_upload(case=case, code=code, actor=people.applicant, data=b"", sanitised=safe)
        assert material.file.warnings == [{"code": "rotated", "pages": [1]}]
