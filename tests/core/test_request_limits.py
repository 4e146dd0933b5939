"""A request body over MAX_REQUEST_BYTES is refused with 413 before it is read (declared or chunked), and the pages
answer bodies Django will not read whole (too many file parts) with the site's 400 page, never a 500."""

from __future__ import annotations

import io

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_association
from wrp.cases.services import case_open
from wrp.core.requestlimits import RequestSizeMiddleware


class Unreadable(io.RawIOBase):
    def read(self, size=-1):
        raise AssertionError("the body was read")


def test_a_declared_body_over_the_limit_is_413_without_a_byte_read(client, settings):
    response = client.generic("POST", "/login/", b"", CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
                              **{"wsgi.input": Unreadable()})
    assert response.status_code == 413
    assert "请求无法处理" in response.content.decode()


def test_a_declared_api_body_over_the_limit_is_413_with_the_contracts_error_body(client, settings):
    response = client.generic("POST", "/api/v1/cases", b"", CONTENT_LENGTH=str(100 * 1024 * 1024),
                              **{"wsgi.input": Unreadable()})
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"
    assert response.json()["code"] == "request_too_large"


@pytest.mark.parametrize(("body", "status"), [(b"x" * 1000, 200), (b"x" * 10**6, 413)],
                         ids=["at-the-limit", "far-over"])
def test_a_chunked_body_is_read_only_up_to_the_limit(settings, body, status):
    settings.MAX_REQUEST_BYTES = 1000
    request = RequestFactory().post("/api/v1/cases", b"", content_type="application/octet-stream")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = stream = io.BytesIO(body)
    response = RequestSizeMiddleware(lambda request: HttpResponse(str(len(request.body))))(request)
    assert response.status_code == status
    assert stream.tell() <= 1001  # never more than the limit and a byte read
    if status == 200:
        assert response.content == b"1000"


@pytest.mark.django_db
def test_too_many_file_parts_on_a_page_is_the_sites_400_page(client, people, settings):
    make_association(people.applicant, people.unit)
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    client.force_login(people.handler)
    parts = {f"file{n}": io.BytesIO(b"%PDF-") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)}
    response = client.post(reverse("portal:unit_material_upload", args=[case.public_id, "labour_contract"]), parts)
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()
