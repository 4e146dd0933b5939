"""The case page while an upload is checked by the worker: the POST redirects (no re-post on reload), the material
shows "正在检查…" polling its partial every second, and the partial then shows the verdict in words."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from tests.api.conftest import PROFILE
from tests.documents import pdfs
from tests.factories import make_association
from wrp.accounts.models import ApplicantProfile
from wrp.cases.material_checks import material_check
from wrp.cases.services import case_open
from wrp.documents.models import UploadCheck

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(people, settings, private_media):
    settings.UPLOAD_CHECK_INLINE = False
    make_association(people.applicant, people.unit)
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))  # a checklist to upload to
    return case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)


def post_upload(client, case, data):
    handle = io.BytesIO(data)
    handle.name = "contract.pdf"
    return client.post(reverse("portal:unit_material_upload", args=[case.public_id, "labour_contract"]),
                       {"file": handle})


def test_the_upload_redirects_and_the_material_polls_until_the_verdict_shows(client, case, people):
    client.force_login(people.handler)
    response = post_upload(client, case, pdfs.plain_pdf(2))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{case.public_id}/#upload-labour_contract")
    page = client.get(response["Location"]).content.decode()
    partial_url = reverse("portal:material_check", args=[case.public_id, "labour_contract"])
    assert "正在检查…" in page
    assert f'hx-get="{partial_url}" hx-trigger="every 1s"' in page
    assert "请刷新页面查看结果" in page  # inside <noscript>
    material_check.call(UploadCheck.objects.get().pk)
    partial = client.get(partial_url, headers={"HX-Request": "true"}).content.decode()
    assert "检查通过" in partial
    assert "hx-trigger" not in partial  # the polling ends


def test_a_refused_upload_shows_its_reason_in_words_and_stops_polling(client, case, people):
    client.force_login(people.handler)
    post_upload(client, case, pdfs.encrypted_pdf(user_password="secret"))
    material_check.call(UploadCheck.objects.get().pk)
    partial = client.get(reverse("portal:material_check", args=[case.public_id, "labour_contract"])).content.decode()
    assert "文件未被接受" in partial
    assert "加密" in partial
    assert "hx-trigger" not in partial
    page = client.get(reverse("portal:case", args=[case.public_id])).content.decode()
    assert "加密" in page


def test_another_units_handler_cannot_follow_the_check(client, case, people):
    client.force_login(people.handler)
    post_upload(client, case, pdfs.plain_pdf())
    client.force_login(people.other_handler)
    response = client.get(reverse("portal:material_check", args=[case.public_id, "labour_contract"]))
    assert response.status_code == 404
