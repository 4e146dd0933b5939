"""The employee import (issue 15 §1): the template, every row checked before anything is written, errors at their row
and column, the import as invitations the employees confirm, duplicates, csv, rights, and the same through the API."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_association, make_user
from tests.imports.sheets import SEVEN_ERRORS, csv_bytes, employees, person_id, with_errors, xlsx
from wrp.accounts.models import Role
from wrp.accounts.services import token_create, user_set_id_number
from wrp.core.errors import InvalidState, NotFound
from wrp.imports.invitations import invitation_accept, invitation_decline, invitations_for
from wrp.imports.models import ImportBatch, ImportState, Invitation, InvitationState
from wrp.imports.services import import_confirm, import_execute, import_validate
from wrp.imports.sheet import columns
from wrp.units.models import Association, AssociationState

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler_client(client: Any, people: Any, private_media: Any) -> Any:
    client.force_login(people.handler)
    return client


def upload_page(client: Any, data: bytes, name: str = "员工.xlsx") -> ImportBatch:
    response = client.post(reverse("portal:imports_home"), {"file": io.BytesIO(data) | _named(name)})
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("portal:imports_detail", args=[batch.public_id])
    return batch


class _named:  # `io.BytesIO(data) | _named("x.xlsx")`: a file object with a name, as the test client posts it
    def __init__(self, name: str) -> None:
        self.name = name

    def __ror__(self, handle: io.BytesIO) -> io.BytesIO:
        handle.name = self.name
        return handle


def validated(batch: ImportBatch) -> ImportBatch:
    assert import_validate.call(batch.pk) in (ImportState.VALID, ImportState.INVALID)
    batch.refresh_from_db()
    return batch


def imported(batch: ImportBatch) -> ImportBatch:
    assert import_execute.call(batch.pk) == ImportState.IMPORTED
    batch.refresh_from_db()
    return batch


def test_the_template_has_bilingual_headers_lists_and_instructions(handler_client: Any) -> None:
    response = handler_client.get(reverse("portal:imports_template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["姓名 Name *", "公民身份号码 Resident ID number *", "手机号码 Mobile"]
    assert len(headers) == len(columns())
    assert any(
        "非北京户籍" in str(rule.formula1) or rule.type == "list" for rule in sheet.data_validations.dataValidation
    )
    assert "填写说明 Instructions" in book.sheetnames
    assert "关联邀请" in book["填写说明 Instructions"]["A11"].value


def test_a_200_row_sheet_with_7_errors_reports_each_at_its_row_and_column_and_writes_nothing(
    handler_client: Any, people: Any
) -> None:
    before = Association.objects.count()
    batch = validated(upload_page(handler_client, xlsx(with_errors(employees(200)))))
    assert batch.state == ImportState.INVALID
    assert batch.total_rows == 200
    letters = {col.key: chr(ord("A") + index) for index, col in enumerate(columns())}
    found = {(error["row"], error["column"], error["code"]) for error in batch.errors}
    assert found == {(index + 2, letters[key], code) for index, key, _value, code in SEVEN_ERRORS}
    assert (batch.error_count, batch.error_rows, batch.valid_rows) == (7, 7, 193)
    page = handler_client.get(reverse("portal:imports_detail", args=[batch.public_id])).content.decode()
    assert 'data-row="20" data-column="E"' in page
    assert "日期格式应为 YYYY-MM-DD。" in page
    assert 'id="import-all"' not in page
    assert "只导入无误的 193 行" in page
    refused = handler_client.post(reverse("portal:imports_confirm", args=[batch.public_id]), follow=True)
    assert "表格中有错误" in refused.content.decode()
    assert Invitation.objects.count() == 0
    assert Association.objects.count() == before
    with pytest.raises(InvalidState):
        import_confirm(batch=batch, actor=people.handler)


def test_the_errors_read_in_english_on_an_english_page(handler_client: Any, settings: Any) -> None:
    batch = validated(upload_page(handler_client, xlsx(with_errors(employees(200)))))
    handler_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = handler_client.get(reverse("portal:imports_detail", args=[batch.public_id])).content.decode()
    assert "A date must be written YYYY-MM-DD." in page
    assert "日期格式应为" not in page
    assert "E · Started at the unit on" in page
    assert "The same resident ID number as row 2." in page


def test_fixed_sheet_imports_as_invitations_the_employees_confirm(handler_client: Any, people: Any) -> None:
    before = Association.objects.count()
    batch = validated(upload_page(handler_client, xlsx(employees(200))))
    assert batch.state == ImportState.VALID
    assert batch.errors == []
    response = handler_client.post(reverse("portal:imports_confirm", args=[batch.public_id]))
    assert response.status_code == 302
    batch = imported(ImportBatch.objects.get(pk=batch.pk))
    assert batch.result["invited"] == 200
    assert not batch.only_valid
    assert Invitation.objects.filter(unit=people.unit, state=InvitationState.PENDING).count() == 200
    assert Association.objects.count() == before  # never an association behind their backs
    invitation = Invitation.objects.get(row_number=2)
    assert invitation.id_number_masked.startswith("110105")
    assert "*" in invitation.id_number_masked
    assert bytes(invitation.id_number_encrypted) != person_id(1).encode()
    # the employee, signed in with that ID number, confirms
    employee = make_user(Role.APPLICANT, "imported1")
    user_set_id_number(user=employee, id_number=person_id(1), actor=employee)
    assert list(invitations_for(employee)) == [invitation]
    association = invitation_accept(invitation=invitation, actor=employee)
    assert association.state == AssociationState.ACTIVE
    assert association.unit == people.unit
    assert employee.profile.facts["hukou"] == "non_beijing"
    # another declines
    second = make_user(Role.APPLICANT, "imported2")
    user_set_id_number(user=second, id_number=person_id(2), actor=second)
    invitation_decline(invitation=invitations_for(second).get(), actor=second)
    assert not Association.objects.filter(applicant=second).exists()
    # someone else cannot accept a stranger's invitation
    with pytest.raises(NotFound):
        invitation_accept(invitation=Invitation.objects.get(row_number=5), actor=people.other_applicant)
    page = handler_client.get(reverse("portal:imports_detail", args=[batch.public_id])).content.decode()
    assert "已向 200 名员工发出关联邀请" in page


def test_only_the_valid_rows_when_the_handler_says_so(handler_client: Any, people: Any) -> None:
    batch = validated(upload_page(handler_client, xlsx(with_errors(employees(200)))))
    handler_client.post(reverse("portal:imports_confirm", args=[batch.public_id]), {"only_valid": "yes"})
    batch = imported(ImportBatch.objects.get(pk=batch.pk))
    assert batch.only_valid
    assert batch.result["invited"] == 193
    assert not Invitation.objects.filter(row_number__in=[index + 2 for index, *_rest in SEVEN_ERRORS]).exists()


def test_duplicates_of_associations_and_invitations_are_reported_and_skipped(handler_client: Any, people: Any) -> None:
    associated = make_user(Role.APPLICANT, "already")
    user_set_id_number(user=associated, id_number=person_id(3), actor=associated)
    make_association(associated, people.unit)
    first = imported_sheet(handler_client, employees(5, start=10))  # invites 10..14
    assert first.result["invited"] == 5
    batch = validated(upload_page(handler_client, xlsx(employees(3, start=1) + employees(2, start=10))))
    assert batch.state == ImportState.VALID
    assert {(note["row"], note["code"]) for note in batch.notes} == {
        (4, "already_associated"),
        (5, "already_invited"),
        (6, "already_invited"),
    }
    page = handler_client.get(reverse("portal:imports_detail", args=[batch.public_id])).content.decode()
    assert "已向该员工发出关联邀请，尚待确认。" in page
    import_confirm(batch=batch, actor=people.handler)
    batch = imported(batch)
    assert batch.result["invited"] == 2
    assert sorted(row["row"] for row in batch.result["skipped"]) == [4, 5, 6]
    assert Invitation.objects.count() == 7


def imported_sheet(client: Any, rows: list[dict[str, Any]], *, data: bytes | None = None) -> ImportBatch:
    batch = validated(upload_page(client, data or xlsx(rows)))
    assert batch.state == ImportState.VALID, batch.errors
    import_confirm(batch=batch, actor=batch.created_by)
    return imported(batch)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_csv_sheet_in_each_encoding(handler_client: Any, encoding: str) -> None:
    rows = with_errors(employees(200))
    batch = validated(upload_page(handler_client, csv_bytes(rows, encoding=encoding), "员工.csv"))
    assert batch.file_format == "csv"
    assert {(e["row"], e["code"]) for e in batch.errors} == {(i + 2, code) for i, _k, _v, code in SEVEN_ERRORS}
    assert imported_sheet(handler_client, [], data=csv_bytes(employees(20), encoding=encoding)).result["invited"] == 20


def test_files_are_checked_by_content_and_size(handler_client: Any, settings: Any) -> None:
    home = reverse("portal:imports_home")
    for data, expected in (
        (b"%PDF-1.7\n" + b"\x00" * 100, "文件不是 .xlsx 工作簿或 CSV 文本文件。"),
        (b"PK\x03\x04not really a zip", "文件已损坏，无法读取。"),
        (b"x" * (10 * 1024 * 1024 + 1), "文件超过 10 MB。"),
    ):
        response = handler_client.post(home, {"file": io.BytesIO(data) | _named("员工.xlsx")})
        assert response.status_code == 422
        assert expected in response.content.decode()
    assert ImportBatch.objects.count() == 0
    batch = validated(upload_page(handler_client, "姓名,电话\n张三,1\n".encode()))
    assert batch.state == ImportState.INVALID
    assert batch.errors[0]["code"] == "no_header"


def test_the_sheet_is_stored_privately(handler_client: Any, private_media: Any) -> None:
    batch = upload_page(handler_client, xlsx(employees(3)))
    assert batch.file_name.startswith("imports/")
    assert (private_media / batch.file_name).exists()


def test_another_unit_cannot_see_the_import(handler_client: Any, people: Any, client: Any) -> None:
    batch = upload_page(handler_client, xlsx(employees(3)))
    handler_client.logout()
    handler_client.force_login(people.other_handler)
    for name in ("imports_detail", "imports_progress", "imports_precheck"):
        assert handler_client.get(reverse(f"portal:{name}", args=[batch.public_id])).status_code == 404
    assert handler_client.post(reverse("portal:imports_confirm", args=[batch.public_id])).status_code == 404
    assert batch.public_id not in handler_client.get(reverse("portal:imports_home")).content.decode()
    handler_client.force_login(people.applicant)
    assert handler_client.get(reverse("portal:imports_home")).status_code == 403


def test_the_progress_box_polls_while_the_worker_runs_and_stops_after(handler_client: Any) -> None:
    batch = upload_page(handler_client, xlsx(employees(3)))
    box = handler_client.get(reverse("portal:imports_progress", args=[batch.public_id])).content.decode()
    assert 'hx-trigger="every 1s"' in box
    assert "<progress" in box
    assert "刷新" in box
    validated(batch)
    done = handler_client.get(reverse("portal:imports_progress", args=[batch.public_id]), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in done.content.decode()
    assert done["HX-Refresh"] == "true"


def test_the_employees_page_links_to_the_bulk_import(handler_client: Any) -> None:
    page = handler_client.get(reverse("portal:unit_employees")).content.decode()
    assert reverse("portal:imports_home") in page
    assert "批量导入" in page


# --- the API -------------------------------------------------------------------------------------------------------


def test_the_api_uploads_follows_and_confirms(client: Any, people: Any, private_media: Any) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=people.handler)}"}
    response = client.post(
        "/api/v1/imports",
        {"file": io.BytesIO(xlsx(with_errors(employees(200)))) | _named("a.xlsx"), "unit": people.unit.credit_code},
        **auth,
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["state"] == "validating"
    import_validate.call(ImportBatch.objects.get(public_id=body["id"]).pk)
    status = client.get(f"/api/v1/imports/{body['id']}", **auth).json()
    assert status["state"] == "invalid"
    assert status["percent"] == 100
    assert status["error_count"] == 7
    assert {(e["row"], e["field"]) for e in status["errors"]} == {(i + 2, k) for i, k, _v, _c in SEVEN_ERRORS}
    refused = client.post(f"/api/v1/imports/{body['id']}/confirm", {}, content_type="application/json", **auth)
    assert refused.status_code == 409
    assert refused.json()["state"] == "invalid"
    go = client.post(
        f"/api/v1/imports/{body['id']}/confirm", {"only_valid": True}, content_type="application/json", **auth
    )
    assert go.status_code == 202
    assert go.json()["state"] == "importing"
    import_execute.call(ImportBatch.objects.get(public_id=body["id"]).pk)
    assert client.get(f"/api/v1/imports/{body['id']}", **auth).json()["result"]["invited"] == 193
    # rights: another unit's handler sees nothing; a unit not handled is 422 naming `unit`
    other = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=people.other_handler)}"}
    assert client.get(f"/api/v1/imports/{body['id']}", **other).status_code == 404
    assert (
        client.post(f"/api/v1/imports/{body['id']}/confirm", {}, content_type="application/json", **other).status_code
        == 404
    )
    wrong = client.post(
        "/api/v1/imports",
        {"file": io.BytesIO(xlsx(employees(1))) | _named("a.xlsx"), "unit": people.unit.credit_code},
        **other,
    )
    assert wrong.status_code == 422
    assert "unit" in wrong.json()["fields"]
    bad = client.post(
        "/api/v1/imports", {"file": io.BytesIO(b"%PDF-1.4") | _named("a.xlsx"), "unit": people.unit.credit_code}, **auth
    )
    assert bad.status_code == 422
    assert "file" in bad.json()["fields"]


def test_a_retried_import_does_not_invite_twice(handler_client: Any, people: Any) -> None:
    batch = validated(upload_page(handler_client, xlsx(employees(10))))
    import_confirm(batch=batch, actor=people.handler)
    imported(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.IMPORTING)  # as if the worker retried
    again = imported(ImportBatch.objects.get(pk=batch.pk))
    assert again.result["invited"] == 0
    assert len(again.result["skipped"]) == 10
    assert Invitation.objects.count() == 10
    assert timedelta(0) <= again.updated_at - batch.created_at


def test_the_invited_employee_confirms_through_the_api(handler_client: Any, people: Any, client: Any) -> None:
    imported_sheet(handler_client, employees(2))
    employee = make_user(Role.APPLICANT, "api_employee")
    user_set_id_number(user=employee, id_number=person_id(1), actor=employee)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=employee)}"}
    listed = client.get("/api/v1/invitations", **auth).json()["items"]
    assert [(item["unit"], item["state"]) for item in listed] == [(people.unit.credit_code, "pending")]
    handler_auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=people.handler)}"}
    assert client.post(f"/api/v1/invitations/{listed[0]['id']}/accept", **handler_auth).status_code == 404
    answer = client.post(f"/api/v1/invitations/{listed[0]['id']}/accept", **auth)
    assert answer.status_code == 200
    assert answer.json()["state"] == "accepted"
    association = Association.objects.get(pk=answer.json()["association"])
    assert (association.applicant, association.state) == (employee, AssociationState.ACTIVE)
    assert client.post(f"/api/v1/invitations/{listed[0]['id']}/decline", **auth).status_code == 404  # no longer pending
    assert client.get("/api/v1/invitations", **auth).json()["items"] == []
