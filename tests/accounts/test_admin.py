"""The admin site: administrators only; users through the services; decisions' records read-only (issue 3 §12)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.accounts.conftest import OTHER_VALID_ID, VALID_ID
from wrp.accounts.models import ApiToken, ApplicantProfile, Role, User
from wrp.accounts.services import token_create, user_by_id_number, user_create, user_id_number, user_update
from wrp.audit.models import AuditEvent
from wrp.cases.models import Case, CaseEvent, CaseMaterial, CorrectionNotice
from wrp.permits.models import Permit, PermitChild, PermitEvent
from wrp.quotas.models import QuotaLedger, QuotaRequest
from wrp.units.models import AccountStatus, Association, Audit, Penalty, Unit

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def unit(unit) -> Unit:
    """The shared `unit` (handled by `handler`, account open), with the name and association code read below."""
    Unit.objects.filter(pk=unit.pk).update(name="北京示例科技有限公司", association_code="ASSOC-0001")
    unit.refresh_from_db()
    return unit


@pytest.fixture
def records(unit, applicant, clerk, approver, handler) -> dict[type, object]:
    """One record of every model the admin may only look at."""
    permit = Permit.objects.create(number="WRP-2026-000001", holder=applicant, unit=unit, issued_on=date(2026, 1, 5),
                                   valid_until=date(2029, 1, 4))
    case = Case.objects.create(public_id="C2026000001", kind="initial", unit=unit, applicant=applicant,
                               created_by=handler)
    token_create(user=handler)
    return {
        Penalty: Penalty.objects.create(unit=unit, kind="quota_frozen", reason="逾期解除", decided_by=approver,
                                        decided_at=WHEN),
        Association: Association.objects.create(unit=unit, applicant=applicant, state="active", requested_at=WHEN),
        Audit: Audit.objects.create(unit=unit, permit=permit, findings="在岗", by=approver, at=WHEN),
        QuotaRequest: QuotaRequest.objects.create(unit=unit, year=2026, requested=5, reason="扩招",
                                                  requested_by=handler, requested_at=WHEN),
        QuotaLedger: QuotaLedger.objects.create(unit=unit, year=2026, granted=5, reserved=1, used=1),
        Permit: permit,
        PermitEvent: PermitEvent.objects.create(permit=permit, at=WHEN, action="issue", to_status="valid"),
        PermitChild: PermitChild.objects.create(permit=permit, name="张小三", case="minor", added_on=date(2026, 1, 5)),
        Case: case,
        CaseEvent: CaseEvent.objects.create(case=case, at=WHEN, action="submit", actor=handler),
        CaseMaterial: CaseMaterial.objects.create(case=case, code="labour_contract"),
        CorrectionNotice: CorrectionNotice.objects.create(case=case, issued_at=WHEN, issued_by=clerk,
                                                          problems=[{"material": None, "text": "补充"}]),
        ApiToken: ApiToken.objects.get(user=handler),
        ApplicantProfile: ApplicantProfile.objects.create(user=applicant, facts={"hukou": "beijing"}),
    }


# Who may enter


def test_an_administrator_enters_the_admin_site(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("persona", ["applicant", "handler", "clerk", "approver"])
def test_other_roles_are_sent_to_the_login_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_staff_flag_without_the_admin_role_does_not_open_the_site(client, clerk):
    User.objects.filter(pk=clerk.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=clerk.pk))
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_deactivated_administrator_is_refused(client, administrator):
    client.force_login(administrator)
    other_admin = user_create(username="admin2", role=Role.ADMIN)
    user_update(user=administrator, actor=other_admin, is_active=False)
    assert client.get(reverse("admin:index")).status_code == 302


# Users


def user_form(**overrides: object) -> dict[str, object]:
    data = {"username": "new-clerk", "real_name": "孙窗口", "phone": "", "role": "window_clerk", "is_active": "on",
            "new_password": "", "new_id_number": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_adding_a_user_goes_through_the_service(admin_client, administrator):
    response = admin_client.post(url(User, "add"), user_form(new_id_number=OTHER_VALID_ID,
                                                             new_password="a long admin-set passphrase"))
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new-clerk")
    assert user.role == Role.WINDOW_CLERK
    assert not user.is_staff
    assert user_id_number(user) == OTHER_VALID_ID
    assert user.check_password("a long admin-set passphrase")
    event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert event.actor == administrator
    assert event.changes["id_number"] == "set"


def test_an_administrator_added_in_the_admin_is_staff(admin_client):
    admin_client.post(url(User, "add"), user_form(username="second-admin", role="admin"))
    user = User.objects.get(username="second-admin")
    assert user.is_staff
    assert user.is_superuser


def test_an_invalid_id_number_is_refused_next_to_the_field(admin_client):
    response = admin_client.post(url(User, "add"), user_form(new_id_number="110105194912310021"))
    assert response.status_code == 200
    assert "第18位校验码应为X，实际为1" in response.content.decode()
    assert not User.objects.filter(username="new-clerk").exists()


def test_an_id_number_of_another_user_is_refused(admin_client, applicant, handler):
    response = admin_client.post(url(User, "change", handler.pk),
                                 user_form(username=None, real_name="王经办", role="unit_handler",
                                           new_id_number=VALID_ID))
    assert response.status_code == 200
    assert "已登记在其他用户名下" in response.content.decode()
    assert user_by_id_number(VALID_ID) == applicant


def test_the_change_page_shows_the_id_number_masked_never_whole(admin_client, applicant):
    page = admin_client.get(url(User, "change", applicant.pk)).content.decode()
    assert "110105********002X" in page
    assert VALID_ID not in page
    assert VALID_ID[6:14] not in page


def test_the_user_list_shows_masked_numbers_and_finds_by_whole_number(admin_client, applicant, other_applicant):
    page = admin_client.get(url(User, "changelist")).content.decode()
    assert "110105********002X" in page
    assert VALID_ID not in page
    found = admin_client.get(url(User, "changelist"), {"q": VALID_ID})
    assert list(found.context["cl"].result_list) == [applicant]


def test_changing_role_and_id_number_in_the_admin_is_audited(admin_client, handler, administrator):
    response = admin_client.post(url(User, "change", handler.pk),
                                 user_form(username=None, real_name="王经办", role="window_clerk",
                                           new_id_number=OTHER_VALID_ID))
    assert response.status_code == 302, response.content.decode()[:2000]
    handler.refresh_from_db()
    assert handler.role == Role.WINDOW_CLERK
    assert user_id_number(handler) == OTHER_VALID_ID
    actions = set(AuditEvent.objects.filter(actor=administrator, object_id=str(handler.pk))
                  .values_list("action", flat=True))
    assert actions == {"user.update", "user.set_id_number", "admin.change"}  # the service's events, the admin's log


def test_the_username_cannot_be_changed(admin_client, handler):
    admin_client.post(url(User, "change", handler.pk), user_form(username="renamed", real_name="王经办",
                                                                 role="unit_handler"))
    assert User.objects.filter(pk=handler.pk, username="handler").exists()


def test_users_are_never_deleted_in_the_admin(admin_client, handler):
    assert admin_client.post(url(User, "delete", handler.pk), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=handler.pk).exists()


# Tokens


def test_the_token_page_never_shows_the_hash(admin_client, handler):
    token_create(user=handler)
    token = ApiToken.objects.get(user=handler)
    page = admin_client.get(url(ApiToken, "change", token.pk)).content.decode()
    assert token.prefix in page
    assert token.key_hash not in page


def test_tokens_are_revoked_through_the_service(admin_client, handler, administrator):
    token_create(user=handler)
    token = ApiToken.objects.get(user=handler)
    response = admin_client.post(url(ApiToken, "changelist"),
                                 {"action": "revoke", admin.helpers.ACTION_CHECKBOX_NAME: [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="token.revoke").actor == administrator


# Units' master data


def unit_form(unit: Unit, **overrides: object) -> dict[str, object]:
    data = {
        "name": unit.name, "kind": unit.kind, "legal_person": "on", "registered_district": unit.registered_district,
        "tax_district": unit.tax_district, "tax_paid_since": "", "registered_capital": "1000000.00",
        "annual_tax": "{}", "qualifications": "[]",
        "unithandler_set-TOTAL_FORMS": "0", "unithandler_set-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_unit_master_data_is_corrected_and_audited(admin_client, unit, administrator):
    response = admin_client.post(url(Unit, "change", unit.pk),
                                 unit_form(unit, name="北京示例科技股份有限公司", account_status="closed",
                                           association_code="HACKED"))
    assert response.status_code == 302, response.content.decode()[:3000]
    unit.refresh_from_db()
    assert unit.name == "北京示例科技股份有限公司"
    assert (unit.account_status, unit.association_code) == (AccountStatus.OPEN, "ASSOC-0001")
    event = AuditEvent.objects.get(action="unit.update_master_data")
    assert event.actor == administrator
    assert event.changes["name"] == ["北京示例科技有限公司", "北京示例科技股份有限公司"]


def test_units_are_neither_added_nor_deleted_in_the_admin(admin_client, unit):
    assert admin_client.get(url(Unit, "add")).status_code == 403
    assert admin_client.post(url(Unit, "delete", unit.pk), {"post": "yes"}).status_code == 403


def test_the_unit_page_lists_its_handlers(admin_client, unit):
    assert admin_client.get(url(Unit, "change", unit.pk)).status_code == 200


# Everything decided by the services: visible, never changed


READ_ONLY = [Penalty, Association, Audit, QuotaRequest, QuotaLedger, Permit, PermitEvent, PermitChild, Case,
             CaseEvent, CaseMaterial, CorrectionNotice, ApiToken, ApplicantProfile]


@pytest.mark.parametrize("model", READ_ONLY, ids=[model.__name__ for model in READ_ONLY])
def test_decided_records_are_visible_but_cannot_be_added_changed_or_deleted(admin_client, records, model):
    obj = records[model]
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == 403
    assert admin_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_every_field_of_a_read_only_model_is_read_only(rf, administrator):
    request = rf.get("/")
    request.user = administrator
    for model in READ_ONLY:
        model_admin = admin.site._registry[model]
        form_fields = model_admin.get_fields(request)
        assert set(form_fields) <= set(model_admin.get_readonly_fields(request)), model.__name__
