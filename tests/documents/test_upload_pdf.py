"""upload_pdf, store_file and open_file: private storage under random names, and nothing stored for a refused file."""

import hashlib
import io
import os
import re
import stat
import time
from datetime import timedelta

import pikepdf
import pytest

from tests.documents import pdfs
from tests.documents.conftest import files_under
from wrp.audit.models import AuditEvent
from wrp.core.errors import FileRefused
from wrp.documents import services
from wrp.documents.models import StoredFile
from wrp.documents.pdfcheck import MAX_BYTES, MESSAGES
from wrp.documents.services import (
    StoredFileCorrupted,
    display_name,
    open_file,
    orphan_files_remove,
    store_file,
    upload_pdf,
)

pytestmark = pytest.mark.django_db

STORAGE_NAME = re.compile(r"files/([0-9a-f]{2})/[0-9a-f]{32}\.pdf")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (pdfs.png_named_pdf, "not_pdf"),
        (lambda: b"%PDF-1.7\n" + bytes(MAX_BYTES), "too_large"),
        (lambda: pdfs.plain_pdf(201), "too_many_pages"),
        (lambda: pdfs.encrypted_pdf(user_password="u"), "encrypted"),
        (lambda: pdfs.encrypted_pdf(user_password=""), "encrypted"),
        (pdfs.truncated_pdf, "damaged"),
        (pdfs.garbage_body_pdf, "damaged"),
        (lambda: pdfs.saved(pikepdf.new()), "damaged"),
    ],
    ids=["png-renamed", "over-20-mb", "201-pages", "password-to-open", "owner-password-only", "truncated",
         "garbage-body", "no-pages"],
)
def test_a_refused_upload_is_told_why_and_stores_nothing(applicant, private_media, make, reason):
    with pytest.raises(FileRefused) as refused:
        upload_pdf(data=make(), original_name="材料.pdf", uploaded_by=applicant)
    assert refused.value.reason == reason
    assert str(refused.value) == MESSAGES[reason]
    assert not StoredFile.objects.exists()
    assert files_under(private_media) == []
    assert not AuditEvent.objects.filter(action="file.store").exists()


def test_an_upload_is_stored_under_a_random_name_readable_by_the_server_alone(applicant, private_media):
    stored = upload_pdf(data=pdfs.plain_pdf(2), original_name="张三_110105199001011234.pdf", uploaded_by=applicant)
    path = private_media / stored.storage_name
    assert STORAGE_NAME.fullmatch(stored.storage_name)
    assert "110105" not in stored.storage_name
    assert "张三" not in stored.storage_name
    assert files_under(private_media) == [path]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for directory in (private_media, private_media / "files", path.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stored.original_name == "张三_110105199001011234.pdf"
    assert stored.pages == 2


def test_two_uploads_of_the_same_file_get_different_names(applicant):
    first = upload_pdf(data=pdfs.plain_pdf(), original_name="a.pdf", uploaded_by=applicant)
    second = upload_pdf(data=pdfs.plain_pdf(), original_name="a.pdf", uploaded_by=applicant)
    assert first.storage_name != second.storage_name


def test_the_recorded_sha256_and_size_are_those_of_the_stored_bytes(applicant, private_media):
    stored = upload_pdf(data=pdfs.pdf_with_active_content(), original_name="x.pdf", uploaded_by=applicant)
    on_disk = (private_media / stored.storage_name).read_bytes()
    assert stored.sha256 == hashlib.sha256(on_disk).hexdigest()
    assert stored.size == len(on_disk)
    event = AuditEvent.objects.get(action="file.store", object_id=str(stored.pk))
    assert event.changes["sha256"] == stored.sha256


def test_active_content_is_stripped_before_storage_and_the_pages_are_kept(applicant):
    original = pdfs.pdf_with_active_content(pages=2)
    assert b"app.alert" in original
    assert b"cmd.exe" in original
    assert len(pikepdf.open(io.BytesIO(original)).attachments) == 1
    stored = upload_pdf(data=original, original_name="x.pdf", uploaded_by=applicant)
    data = open_file(stored)
    assert b"app.alert" not in data
    assert b"cmd.exe" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/OpenAction" not in pdf.Root
        assert "/AA" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.Names
        assert "/EmbeddedFiles" not in pdf.Root.Names
        assert len(pdf.attachments) == 0
        assert "/AF" not in pdf.Root
        assert not [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/EmbeddedFile"]
        assert "/A" not in pdf.Root.Outlines.First
        first = pdf.pages[0].obj
        assert "/AA" not in first
        web_link, field = first.Annots
        assert str(web_link.A.URI) == "https://rsj.example.gov.cn/"
        assert str(field.T) == "name"
        assert "/AA" not in field
        assert "/A" not in field
        assert "/XFA" not in pdf.Root.AcroForm
        assert len(pdf.pages) == 2
        assert [page.Contents.read_bytes() for page in pdf.pages] == [pdfs.PAGE_DRAWING] * 2
    assert stored.pages == 2
    assert "document /OpenAction (JavaScript)" in stored.removed


def test_a_failed_database_write_leaves_no_file_behind(applicant, private_media, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        upload_pdf(data=pdfs.plain_pdf(), original_name="x.pdf", uploaded_by=applicant)
    assert not StoredFile.objects.exists()
    assert files_under(private_media) == []


def test_a_stored_file_reads_back_as_stored(applicant):
    data = pdfs.plain_pdf()  # one file: two saves a second apart differ in their /ID (qpdf hashes the time into it)
    stored = store_file(data=data, original_name="generated.pdf", uploaded_by=applicant, pages=1)
    assert open_file(stored) == data


def test_a_stored_file_altered_on_disk_is_refused_on_reading(applicant, private_media):
    stored = upload_pdf(data=pdfs.plain_pdf(), original_name="x.pdf", uploaded_by=applicant)
    path = private_media / stored.storage_name
    path.write_bytes(path.read_bytes() + b"% tampered\n")
    with pytest.raises(StoredFileCorrupted):
        open_file(stored)
    path.unlink()
    with pytest.raises(StoredFileCorrupted):
        open_file(stored)


def test_a_storage_name_pointing_outside_the_private_files_is_never_read(applicant):
    stored = upload_pdf(data=pdfs.plain_pdf(), original_name="x.pdf", uploaded_by=applicant)
    stored.storage_name = "../../etc/passwd"
    with pytest.raises(StoredFileCorrupted):
        open_file(stored)


def test_orphan_files_older_than_the_grace_period_are_removed(applicant, private_media):
    kept = upload_pdf(data=pdfs.plain_pdf(), original_name="x.pdf", uploaded_by=applicant)
    old_orphan = private_media / "files" / "ab" / ("a" * 32 + ".pdf")
    fresh_orphan = private_media / "files" / "ab" / ("b" * 32 + ".pdf")
    old_orphan.parent.mkdir(parents=True, exist_ok=True)
    for orphan in (old_orphan, fresh_orphan):
        orphan.write_bytes(b"%PDF-")
    two_hours_ago = time.time() - 7200
    os.utime(old_orphan, (two_hours_ago, two_hours_ago))
    os.utime(private_media / kept.storage_name, (two_hours_ago, two_hours_ago))
    assert orphan_files_remove(older_than=timedelta(hours=1)) == 1
    assert files_under(private_media) == sorted([private_media / kept.storage_name, fresh_orphan])
    assert orphan_files_remove(older_than=timedelta(hours=1)) == 0


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\fakepath\\张三 身份证.pdf", "张三 身份证.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a\x00b\u202ec.pdf", "abc.pdf"),
        ("", ""),
        ("x" * 300 + ".pdf", "x" * 200),
    ],
    ids=["windows-path", "dot-dot", "control-characters", "empty", "too-long"],
)
def test_the_original_name_is_kept_for_display_only_cleaned(sent, kept):
    assert display_name(sent) == kept
