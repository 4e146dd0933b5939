"""The unit's standing documents (系统附件管理) are checked off the request path like case materials: the POST
quarantines the file and redirects, the row shows "正在检查…" polling its partial, and the worker's verdict either
makes the file the unit's document (the one it replaces deleted) or says in words why it was refused."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.documents import pdfs
from wrp.documents.models import StoredFile, UploadCheck, UploadCheckState
from wrp.documents.standing import unit_document_check
from wrp.units.documents import unit_documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def deferred(settings, private_media):
    settings.UPLOAD_CHECK_INLINE = False


def post_licence(client, unit, data):
    handle = io.BytesIO(data)
    handle.name = "licence.pdf"
    return client.post(reverse("portal:unit_document_upload", args=[unit.credit_code, "business_license"]),
                       {"file": handle})


def check_url(unit):
    return reverse("portal:unit_document_check", args=[unit.credit_code, "business_license"])


def test_the_upload_redirects_polls_and_the_worker_makes_it_the_units_document(client, people, deferred):
    client.force_login(people.handler)
    response = post_licence(client, people.unit, pdfs.plain_pdf(2))
    assert response.status_code == 302
    assert "business_license" not in unit_documents(people.unit)  # nothing parsed or stored by the request
    page = client.get(response["Location"]).content.decode()
    assert "正在检查…" in page
    assert f'hx-get="{check_url(people.unit)}" hx-trigger="every 1s"' in page
    assert unit_document_check.call(UploadCheck.objects.get().pk) == UploadCheckState.ACCEPTED
    partial = client.get(check_url(people.unit), headers={"HX-Request": "true"}).content.decode()
    assert "检查通过" in partial
    assert "hx-trigger" not in partial
    assert unit_documents(people.unit)["business_license"].file.pages == 2
    assert UploadCheck.objects.get().quarantine_name == ""  # the quarantined bytes are gone


def test_a_replaced_document_file_is_deleted(client, people, deferred):
    client.force_login(people.handler)
    post_licence(client, people.unit, pdfs.plain_pdf(1))
    unit_document_check.call(UploadCheck.objects.get().pk)
    first = unit_documents(people.unit)["business_license"].file
    post_licence(client, people.unit, pdfs.plain_pdf(3))
    unit_document_check.call(UploadCheck.objects.order_by("-pk").first().pk)
    assert unit_documents(people.unit)["business_license"].file.pages == 3
    assert not StoredFile.objects.filter(pk=first.pk).exists()


def test_a_refused_document_says_why_and_keeps_the_current_one(client, people, deferred):
    client.force_login(people.handler)
    post_licence(client, people.unit, pdfs.encrypted_pdf(user_password="secret"))
    assert unit_document_check.call(UploadCheck.objects.get().pk) == UploadCheckState.REFUSED
    page = client.get(reverse("portal:unit_documents")).content.decode()
    assert "文件未被接受" in page
    assert "加密" in page
    assert "business_license" not in unit_documents(people.unit)


def test_another_units_handler_cannot_follow_the_check(client, people, deferred):
    client.force_login(people.handler)
    post_licence(client, people.unit, pdfs.plain_pdf())
    client.force_login(people.other_handler)
    assert client.get(check_url(people.unit)).status_code == 404
