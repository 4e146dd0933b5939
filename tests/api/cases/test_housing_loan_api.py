"""`answers.housing_loan` (附件3's particulars) through the API: checked part by part, 422 naming each bad part."""

from __future__ import annotations

from wrp.cases.models import Case

GOOD = {"since": "2024-03-01", "address": "北京市朝阳区将台路5号院15号楼1201室", "owner_name": "王五",
        "owner_id_number": "11010519491231002X", "relationship": "配偶父母"}


def open_case(api, people, housing_loan):
    return api.handler.post("/cases", {"kind": "info_change", "subtype": "address", "unit": people.unit.credit_code,
                                       "applicant": "applicant", "answers": {
                                           "housing": {"kind": "relative", "lease_end": None},
                                           "housing_loan": housing_loan}})


def test_good_particulars_are_accepted_and_kept(api, people):
    response = open_case(api, people, GOOD)
    assert response.status_code == 201, response.content
    assert Case.objects.get(public_id=response.json()["id"]).answers["housing_loan"] == GOOD


def test_each_bad_part_is_named_and_nothing_is_opened(api, people):
    response = open_case(api, people, {**GOOD, "owner_id_number": "110105194912310021", "address": "将台路",
                                       "relationship": "同事", "since": "2030-01-01", "extra": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert set(body["fields"]) == {f"answers.housing_loan.{part}" for part in
                                   ("owner_id_number", "address", "relationship", "since", "extra")}
    assert "110105194912310021" not in response.content.decode()
    assert not Case.objects.exists()


def test_the_particulars_may_be_left_to_write_by_hand(api, people):
    assert open_case(api, people, {"owner_name": "王五"}).status_code == 201
