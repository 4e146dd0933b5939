"""附件3's particulars (`answers.housing_loan`, wrp.cases.housing_loan): each part checked where it arrives, through
the one answers check of the service (opening a case, changing its answers)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.clock import TODAY
from wrp.cases.housing_loan import (
    Relationship,
    housing_loan_applies,
    housing_loan_check,
    housing_loan_normalised,
    particulars_shown_to,
)
from wrp.cases.models import Case
from wrp.cases.services import case_open, case_update_answers
from wrp.core.errors import Invalid

OWNER_ID = "11010519491231002X"
GOOD = {"since": "2024-03-01", "address": "北京市朝阳区将台路5号院15号楼1201室", "owner_name": "王五",
        "owner_id_number": OWNER_ID, "relationship": "父母"}


def problems(value, today: date = TODAY) -> dict[str, str]:
    found: dict[str, str] = {}
    housing_loan_check(value, lambda path, message, code: found.__setitem__(path, code), today=today)
    return found


def test_complete_particulars_pass():
    assert problems(GOOD) == {}


def test_nothing_given_and_blanks_pass_they_are_written_by_hand():
    assert problems(None) == {}
    assert problems({}) == {}
    assert problems({part: "" for part in GOOD}) == {}
    assert problems({"owner_name": "王五", "address": None}) == {}


@pytest.mark.parametrize(
    ("part", "value", "code"),
    [
        ("owner_id_number", "11010519491231002Y", "bad_id_number"),
        ("owner_id_number", "110105194912310021", "bad_id_number"),
        ("owner_id_number", "11010519491331002X", "bad_id_number"),
        ("owner_id_number", "1101051949123100", "bad_id_number"),
        ("address", "北京市朝阳区将台路", "no_house_number"),
        ("address", "5号", "no_house_number"),
        ("address", "朝阳区某小区楼上", "no_house_number"),
        ("address", "路" * 200 + "5号楼1201室", "no_house_number"),
        ("relationship", "同事", "bad_relationship"),
        ("relationship", "parents", "bad_relationship"),
        ("since", "2026-11-27", "bad_date"),
        ("since", "2024-02-30", "bad_date"),
        ("since", "1899-12-31", "bad_date"),
        ("since", "01/03/2024", "bad_date"),
        ("owner_name", "王5", "bad_name"),
        ("owner_name", "王" * 51, "too_long"),
        ("owner_name", 12, "not_text"),
    ],
    ids=["check-character", "check-digit", "no-such-month", "short", "no-number", "number-without-a-place",
         "no-digits", "too-long", "not-a-listed-relationship", "a-code-not-the-word", "tomorrow", "no-such-day",
         "before-1900", "not-iso", "digits-in-name", "name-too-long", "not-text"],
)
def test_each_bad_part_is_named_with_its_code(part, value, code):
    assert problems({**GOOD, part: value}) == {f"answers.housing_loan.{part}": code}


@pytest.mark.parametrize(
    "address",
    ["北京市朝阳区将台路5号院15号楼1201室", "朝阳区望京西园三区312号楼", "朝阳区十里堡北里3-2-1201",
     "朝阳区双井街道富力城A座1201室", "朝阳区八里庄东里十二号", "朝阳区广渠路３６号"],
    ids=["full", "building-number", "dashed-run", "room", "chinese-numerals", "full-width-digits"],
)
def test_addresses_down_to_the_house_number_pass(address):
    assert problems({**GOOD, "address": address}) == {}


def test_today_is_a_good_start_and_every_listed_relationship_passes():
    assert problems({**GOOD, "since": TODAY.isoformat()}) == {}
    for relationship in Relationship.values:
        assert problems({**GOOD, "relationship": relationship}) == {}


def test_not_an_object_and_unknown_parts_are_refused():
    assert problems("王五") == {"answers.housing_loan": "not_an_object"}
    assert problems({**GOOD, "kind": "relative"}) == {"answers.housing_loan.kind": "answer_not_allowed"}


def test_particulars_are_stored_trimmed_with_the_id_upper_case_and_masked_for_others():
    stored = housing_loan_normalised({**GOOD, "owner_id_number": " 11010519491231002x ", "address": "", "owner_name": " 王五 "})
    assert stored == {"since": "2024-03-01", "owner_name": "王五", "owner_id_number": OWNER_ID, "relationship": "父母"}
    assert particulars_shown_to(stored, whole_id=True)["owner_id_number"] == OWNER_ID
    assert particulars_shown_to(stored, whole_id=False)["owner_id_number"] == "110105********002X"


# --- through the service -------------------------------------------------------------------------------------------


def test_opening_a_case_with_bad_particulars_is_refused_part_by_part(people):
    with pytest.raises(Invalid) as refused:
        case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant,
                  answers={"housing_loan": {**GOOD, "owner_id_number": "11010519491231002Y", "since": "2027-01-01"}})
    assert refused.value.codes == {"answers.housing_loan.owner_id_number": "bad_id_number",
                                   "answers.housing_loan.since": "bad_date"}
    assert str(refused.value.fields["answers.housing_loan.owner_id_number"]).startswith("第18位“Y”无效")
    assert not Case.objects.exists()


def test_good_particulars_are_kept_with_the_case(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant,
                     answers={"housing_loan": GOOD})
    assert case.answers["housing_loan"] == GOOD


def test_changing_the_answers_checks_them_too(people):
    case = case_open(actor=people.handler, kind="info_change", subtype="address", unit=people.unit,
                     applicant=people.applicant, answers={"housing": {"kind": "relative", "lease_end": None}})
    with pytest.raises(Invalid) as refused:
        case_update_answers(case=case, actor=people.handler,
                            answers={**case.answers, "housing_loan": {"address": "将台路"}})
    assert set(refused.value.fields) == {"answers.housing_loan.address"}
    assert housing_loan_applies(case)


def test_a_kind_without_a_home_takes_no_particulars(people):
    with pytest.raises(Invalid) as refused:
        case_open(actor=people.handler, kind="renewal", unit=people.unit, applicant=people.applicant,
                  answers={"housing_loan": GOOD})
    assert refused.value.codes == {"answers.housing_loan": "answer_not_allowed"}


def test_the_declaration_applies_only_to_a_relatives_home(people):
    owned = case_open(actor=people.handler, kind="info_change", subtype="address", unit=people.unit,
                      applicant=people.applicant, answers={"housing": {"kind": "owned", "lease_end": None}})
    assert not housing_loan_applies(owned)
    first = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    assert not housing_loan_applies(first)  # the profile's home is the applicant's own
