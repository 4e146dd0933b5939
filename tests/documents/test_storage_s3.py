"""The private files on an S3-compatible store (WRP_STORAGE=s3), against the local moto endpoint of tests/s3server.py:
an upload quarantined, checked by the worker and stored in the bucket; a download through the authorising view only;
a replacement and a deletion that remove the objects; private, optionally encrypted objects; no URL ever made; and
the readiness check failing when the store is down. Nothing reaches the local folder meanwhile."""

from __future__ import annotations

import secrets
import socket
import tarfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from tests.cases import conftest as case_fixtures
from tests.documents import pdfs
from tests.documents.conftest import files_under
from tests.factories import case_in_state
from tests.s3server import ACCESS_KEY, SECRET_KEY, S3Bucket, s3_client
from tests.tasks.test_backup_restore import backup, restore_elsewhere
from wrp.accounts.services import token_create
from wrp.cases.material_checks import material_check, material_upload_start
from wrp.cases.materials import material_upload
from wrp.cases.models import CaseMaterial
from wrp.cases.services import case_open
from wrp.core.storage import StorageNotReady, private_storage, storage_config, storage_ready
from wrp.documents.models import StoredFile
from wrp.documents.services import open_file, orphan_files_remove, store_file

people = case_fixtures.people  # both applicants with a profile, the applicant associated with `unit`
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _checked_by_the_worker(settings):
    settings.UPLOAD_CHECK_INLINE = False


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(user=user)}"}


def test_an_upload_is_quarantined_checked_and_stored_in_the_bucket_alone(s3_settings, people, private_media):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    upload = pdfs.plain_pdf(2)
    check = material_upload_start(
        case=case, code="labour_contract", actor=people.applicant, data=upload, original_name="110101199003071234.pdf"
    )
    assert s3_settings.keys("quarantine/") == [check.quarantine_name]
    assert s3_settings.read(check.quarantine_name) == upload

    assert material_check.call(check.pk) == "accepted"  # the worker reads the bucket, writes the sanitised file to it
    stored = CaseMaterial.objects.get(case=case, code="labour_contract").file
    assert s3_settings.keys() == [stored.storage_name]
    assert s3_settings.read(stored.storage_name) == open_file(stored)
    assert open_file(stored).startswith(b"%PDF-")
    assert files_under(private_media) == []


def test_a_material_is_downloaded_through_the_authorising_view_only(s3_settings, people):
    case = case_in_state(people, "submitted")
    stored = store_file(data=pdfs.plain_pdf(1), original_name="contract.pdf", uploaded_by=people.handler, pages=1)
    CaseMaterial.objects.update_or_create(case=case, code="labour_contract", defaults={"file": stored})
    url = f"/api/v1/cases/{case.public_id}/materials/labour_contract/file"

    response = Client().get(url, headers=bearer(people.handler))
    assert response.status_code == 200
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    assert body == s3_settings.read(stored.storage_name) == open_file(stored)
    assert response["Cache-Control"] == "no-store, private"
    assert s3_settings.endpoint not in str(response.headers)  # streamed by the view: no redirect, no link to the store

    refused = Client().get(url, headers=bearer(people.other_applicant))
    assert refused.status_code in (403, 404)
    assert body not in refused.content


def test_a_replaced_material_deletes_the_old_object(s3_settings, people, django_capture_on_commit_callbacks):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    old = material_upload(case=case, code="labour_contract", actor=people.applicant, data=pdfs.plain_pdf(1)).file
    assert s3_settings.keys() == [old.storage_name]
    with django_capture_on_commit_callbacks(execute=True):
        new = material_upload(case=case, code="labour_contract", actor=people.applicant, data=pdfs.plain_pdf(2)).file
    assert not StoredFile.objects.filter(pk=old.pk).exists()
    assert s3_settings.keys() == [new.storage_name]
    assert s3_settings.read(new.storage_name) == open_file(new)


def closed_endpoint() -> str:
    """The address of a store that is down: a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_a_store_out_of_reach_after_the_commit_leaves_the_replaced_object_to_the_sweep(
    s3_settings, people, settings, caplog, django_capture_on_commit_callbacks
):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    old = material_upload(case=case, code="labour_contract", actor=people.applicant, data=pdfs.plain_pdf(1)).file
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = material_upload(case=case, code="labour_contract", actor=people.applicant, data=pdfs.plain_pdf(2)).file
    down = storage_config(
        "s3", bucket=s3_settings.name, endpoint_url=closed_endpoint(), access_key_id="a", secret_access_key="b"
    )
    settings.STORAGES = {**settings.STORAGES, "private": down}
    for callback in callbacks:
        callback()  # the user's request ends normally: its change is committed
    assert "not deleted now" in caplog.text
    s3_settings.use()
    assert s3_settings.keys() == sorted([old.storage_name, new.storage_name])
    assert orphan_files_remove(older_than=timedelta(0)) == 1
    assert s3_settings.keys() == [new.storage_name]


def test_orphan_objects_are_deleted_and_named_ones_kept(s3_settings, people):
    kept = store_file(data=pdfs.plain_pdf(1), original_name="a.pdf", uploaded_by=people.handler, pages=1)
    orphans = ["files/ab/" + "a" * 32 + ".pdf", "quarantine/cd/" + "b" * 32]
    for key in orphans:
        s3_settings.client.put_object(Bucket=s3_settings.name, Key=key, Body=b"%PDF-")
    assert orphan_files_remove(older_than=timedelta(hours=1)) == 0  # too young: maybe still in its transaction
    assert orphan_files_remove(older_than=timedelta(0)) == 2
    assert s3_settings.keys() == [kept.storage_name]


def test_objects_are_private_and_encrypted_at_rest_when_asked(s3_settings, people):
    s3_settings.use(sse=True)
    data = pdfs.plain_pdf(1)
    stored = store_file(data=data, original_name="a.pdf", uploaded_by=people.handler, pages=1)
    head = s3_settings.client.head_object(Bucket=s3_settings.name, Key=stored.storage_name)
    assert head["ServerSideEncryption"] == "AES256"
    grants = s3_settings.client.get_object_acl(Bucket=s3_settings.name, Key=stored.storage_name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner alone: ACL private
    assert grants[0]["Grantee"]["Type"] == "CanonicalUser"
    assert open_file(stored) == data


def test_the_encryption_flag_is_passed_to_the_store_only_when_set():
    assert "object_parameters" not in storage_config("s3", bucket="b")["OPTIONS"]
    assert storage_config("s3", bucket="b", sse=True)["OPTIONS"]["object_parameters"] == {
        "ServerSideEncryption": "AES256"
    }


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_no_url_is_ever_made_for_a_private_file(backend, request):
    if backend == "s3":
        request.getfixturevalue("s3_settings")
    with pytest.raises(NotImplementedError):
        private_storage().url("files/ab/" + "a" * 32 + ".pdf")


def test_storage_ready_answers_for_a_live_bucket_and_raises_when_the_store_is_down(s3_settings, settings):
    storage_ready()
    s3_settings.client.delete_bucket(Bucket=s3_settings.name)
    with pytest.raises(StorageNotReady):
        storage_ready()
    config = storage_config(
        "s3", bucket="wrp", endpoint_url=closed_endpoint(), access_key_id="a", secret_access_key="b"
    )
    settings.STORAGES = {**settings.STORAGES, "private": config}
    with pytest.raises(StorageNotReady):
        storage_ready()


def test_storage_ready_raises_when_the_local_folder_cannot_be_written(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "not-yet" / "private"
    storage_ready()  # created on the first write
    blocked = tmp_path / "file"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked / "private"
    with pytest.raises(StorageNotReady):
        storage_ready()


@pytest.mark.django_db(transaction=True)  # the backup's snapshot reads what is committed
def test_a_local_backup_restores_into_a_bucket_and_a_bucket_is_not_archived(people, tmp_path, s3_endpoint, settings):
    if connection.vendor != "sqlite":
        pytest.skip("the restore into a fresh database is the SQLite drill (tests/tasks/test_backup_restore.py)")
    data = tmp_path / "source"
    settings.DATA_DIR, settings.MEDIA_ROOT, settings.SIGNING_DIR = data, data / "private", data / "signing"
    data.mkdir()
    (data / "secret_key").write_text(settings.SECRET_KEY)
    for pages in (1, 2, 3):
        store_file(data=pdfs.plain_pdf(pages), original_name="a.pdf", uploaded_by=people.handler, pages=pages)
    bucket = S3Bucket(
        endpoint=s3_endpoint, name=f"wrp-test-{secrets.token_hex(6)}", client=s3_client(s3_endpoint), settings=settings
    )
    bucket.client.create_bucket(Bucket=bucket.name)
    archive = backup(tmp_path)
    names = sorted(StoredFile.objects.values_list("storage_name", flat=True))
    assert len(names) == 3

    fresh = tmp_path / "fresh"
    done = restore_elsewhere(
        archive,
        f"sqlite:///{fresh / 'wrp.sqlite3'}",
        fresh,
        env={
            "WRP_STORAGE": "s3",
            "WRP_S3_BUCKET": bucket.name,
            "WRP_S3_ENDPOINT_URL": s3_endpoint,
            "WRP_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "WRP_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        },
    )
    assert done.returncode == 0, done.stderr
    assert "3 files uploaded to the S3 bucket" in done.stdout
    assert "stored files: 3 checked, 0 missing or altered" in done.stdout  # read back from the bucket
    assert bucket.keys("files/") == names
    assert not (fresh / "private").exists()

    bucket.use()
    second = tmp_path / "second"
    second.mkdir()
    with tarfile.open(backup(second)) as tar:
        members = tar.getnames()
    assert any(member.startswith("database/") for member in members)
    assert not any(member.startswith("private/") for member in members)
