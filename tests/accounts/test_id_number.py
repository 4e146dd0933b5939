"""Resident ID numbers at rest: validated, encrypted, found by keyed hash, masked wherever shown (issue 3 §1)."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from django.db import connection

from tests.accounts.conftest import OTHER_VALID_ID, VALID_ID
from wrp.accounts import crypto
from wrp.accounts.models import Role, User
from wrp.accounts.selectors import id_number_shown_to
from wrp.accounts.services import (
    user_by_id_number,
    user_create,
    user_id_number,
    user_id_numbers_rekey,
    user_set_id_number,
)
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid

pytestmark = pytest.mark.django_db


def stored_row(user: User) -> dict[str, object]:
    """The user's row as the database holds it, every column."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user WHERE id = %s", [user.pk])
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def test_id_number_round_trips_through_encryption(applicant):
    assert user_id_number(User.objects.get(pk=applicant.pk)) == VALID_ID


def test_id_number_is_normalised_before_storing():
    user = user_create(username="spaced", role=Role.APPLICANT, id_number=" 110105 19491231 002x ")
    assert user_id_number(user) == VALID_ID
    assert user_by_id_number(VALID_ID) == user


def test_database_holds_no_plaintext_digits_of_the_id_number(applicant):
    row = stored_row(applicant)
    middle = VALID_ID[6:14]  # the birth date: the part masking hides
    for column, value in row.items():
        raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
        assert VALID_ID.encode() not in raw, column
        assert middle.encode() not in raw, column
        assert VALID_ID.encode("utf-16-le") not in raw, column
    blob = bytes(row["id_number_encrypted"])
    assert len(blob) == 1 + 12 + len(VALID_ID) + 16  # version, nonce, ciphertext, tag
    assert row["id_number_masked"] == "110105********002X"


def test_keyed_hash_is_not_a_plain_hash_of_the_number(applicant):
    stored = stored_row(applicant)["id_number_hash"]
    assert len(stored) == 64
    assert stored not in {hashlib.sha256(VALID_ID.encode()).hexdigest(), hashlib.sha256(VALID_ID[:17].encode()).hexdigest()}


def test_each_encryption_uses_a_fresh_nonce():
    first = crypto.encrypt(VALID_ID, purpose=crypto.ID_NUMBER)
    second = crypto.encrypt(VALID_ID, purpose=crypto.ID_NUMBER)
    assert first != second
    assert first[1:13] != second[1:13]


def test_ciphertext_bound_to_another_purpose_does_not_decrypt():
    blob = crypto.encrypt(VALID_ID, purpose=crypto.ID_NUMBER)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(blob, purpose=b"wrp:phone")


def test_altered_ciphertext_does_not_decrypt():
    blob = bytearray(crypto.encrypt(VALID_ID, purpose=crypto.ID_NUMBER))
    blob[20] ^= 0x01
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(bytes(blob), purpose=crypto.ID_NUMBER)


def test_user_is_found_by_exact_id_number(applicant, other_applicant):
    assert user_by_id_number(VALID_ID) == applicant
    assert user_by_id_number(OTHER_VALID_ID.lower()) == other_applicant


@pytest.mark.parametrize(
    "number", ["11010519491231002", "110105194912310021", "not an id"], ids=["short", "wrong-check", "garbage"]
)
def test_lookup_of_an_unknown_or_invalid_number_finds_nobody(applicant, number):
    assert user_by_id_number(number) is None


def test_lookup_of_a_valid_but_unregistered_number_finds_nobody(applicant):
    assert user_by_id_number(OTHER_VALID_ID) is None


def test_masked_form_keeps_first_six_and_last_four(applicant):
    assert applicant.id_number_masked == "110105********002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "第18位校验码应为X，实际为1"),
        ("11010519491231002", "公民身份号码应为18位，实际为17位"),
        ("110105194913310029", "不是有效的出生日期"),
        ("990105194912310021", "不是有效的省级行政区划代码"),
    ],
    ids=["check-digit", "length", "birth-date", "region"],
)
def test_invalid_id_number_is_refused_with_the_reason(number, reason):
    with pytest.raises(Invalid) as refused:
        user_create(username="someone", role=Role.APPLICANT, id_number=number)
    assert reason in refused.value.fields["id_number"]
    assert not User.objects.filter(username="someone").exists()


def test_the_same_id_number_cannot_belong_to_two_users(applicant):
    with pytest.raises(Invalid) as refused:
        user_create(username="twin", role=Role.APPLICANT, id_number=VALID_ID)
    assert "id_number" in refused.value.fields
    assert not User.objects.filter(username="twin").exists()


def test_setting_an_id_number_encrypts_and_audits_without_the_value(handler, administrator):
    user_set_id_number(user=handler, id_number=OTHER_VALID_ID, actor=administrator)
    handler.refresh_from_db()
    assert user_id_number(handler) == OTHER_VALID_ID
    assert handler.id_number_masked == "360426********0071"
    event = AuditEvent.objects.filter(action="user.set_id_number").get()
    assert event.changes == {"id_number": "set"}
    assert event.actor == administrator


def test_replacing_an_id_number_drops_the_old_lookup(applicant):
    user_set_id_number(user=applicant, id_number=OTHER_VALID_ID, actor=applicant)
    assert user_by_id_number(VALID_ID) is None
    assert user_by_id_number(OTHER_VALID_ID) == applicant


def test_setting_someone_elses_id_number_is_refused(applicant, other_applicant):
    with pytest.raises(Invalid):
        user_set_id_number(user=applicant, id_number=OTHER_VALID_ID, actor=applicant)
    assert user_id_number(User.objects.get(pk=applicant.pk)) == VALID_ID


def test_a_clerk_cannot_change_an_applicants_id_number(applicant, clerk):
    with pytest.raises(Forbidden):
        user_set_id_number(user=applicant, id_number=OTHER_VALID_ID, actor=clerk)


def test_no_audit_event_carries_the_id_number(applicant, administrator):
    user_set_id_number(user=applicant, id_number=OTHER_VALID_ID, actor=administrator)
    trail = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    for number in (VALID_ID, OTHER_VALID_ID, VALID_ID[6:14], OTHER_VALID_ID[6:14]):
        assert number not in trail


@pytest.mark.parametrize(
    ("viewer_fixture", "whole"),
    [("applicant", True), ("clerk", True), ("approver", True), ("handler", False), ("administrator", False),
     ("other_applicant", False)],
)
def test_whole_id_number_shown_only_to_the_person_and_reviewing_staff(request, applicant, viewer_fixture, whole):
    viewer = request.getfixturevalue(viewer_fixture)
    assert id_number_shown_to(viewer, applicant) == (VALID_ID if whole else "110105********002X")


def test_rotated_key_still_reads_and_rekey_moves_values_to_the_new_key(applicant, settings):
    old_key = settings.FIELD_ENCRYPTION_KEY
    settings.FIELD_ENCRYPTION_KEY = bytes(range(32))
    settings.FIELD_ENCRYPTION_KEY_VERSION = 2
    settings.FIELD_ENCRYPTION_RETIRED_KEYS = {1: old_key}
    stored = User.objects.get(pk=applicant.pk)
    assert crypto.key_version(stored.id_number_encrypted) == 1
    assert user_id_number(stored) == VALID_ID
    assert user_by_id_number(VALID_ID) == applicant  # found under the retired key's hash

    assert user_id_numbers_rekey() == 1
    stored.refresh_from_db()
    assert crypto.key_version(stored.id_number_encrypted) == 2
    settings.FIELD_ENCRYPTION_RETIRED_KEYS = {}
    assert user_id_number(stored) == VALID_ID
    assert user_by_id_number(VALID_ID) == applicant
    assert user_id_numbers_rekey() == 0


def test_value_under_an_unknown_key_version_fails_loudly(applicant, settings):
    settings.FIELD_ENCRYPTION_KEY = base64.b64decode(base64.b64encode(bytes(32)))
    settings.FIELD_ENCRYPTION_KEY_VERSION = 3
    with pytest.raises(crypto.DecryptionFailed, match="version 1"):
        user_id_number(User.objects.get(pk=applicant.pk))
