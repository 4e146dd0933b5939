"""The webhook pages: a unit's handler adds an endpoint (the secret shown once), rotates its secret, disables and
enables it, reads its delivery log and redelivers; another unit's handler gets 404 for it; the bureau's approvers keep
the bureau's own endpoints; other roles are refused; the unit home links the page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from wrp.employment.services import association_request
from wrp.webhooks.models import Attempt, Delivery, Endpoint, EndpointSecret


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def page(people, receiver):
    return signed_in(people.handler)


def test_a_handler_adds_an_endpoint_and_sees_its_secret_once(page, people, receiver):
    home = page.get("/unit/")
    assert 'href="/unit/webhooks/"' in home.content.decode()
    response = page.post(
        "/unit/webhooks/add/",
        {
            "unit": people.unit.credit_code,
            "url": receiver.url,
            "event_types": ["case.approved", "association.requested"],
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    (secret,) = re.findall(r"whsec_[A-Za-z0-9+/=]+", text)
    assert EndpointSecret.objects.get().secret == secret
    stored = bytes(EndpointSecret.objects.values_list("sealed", flat=True).get())
    assert secret.encode() not in stored
    assert secret.removeprefix("whsec_").encode() not in stored
    assert response["Cache-Control"] == "no-store"
    listing = page.get("/unit/webhooks/").content.decode()
    assert receiver.url in listing
    assert "whsec_" not in listing  # shown once
    endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["association.requested", "case.approved"]


def test_a_refused_address_is_reported_next_to_the_field(page, people, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    response = page.post("/unit/webhooks/add/", {"unit": people.unit.credit_code, "url": "http://10.1.2.3/x"})
    assert response.status_code == 422
    assert 'id="id_url-error"' in response.content.decode()
    assert not Endpoint.objects.exists()


def test_rotate_disable_enable_log_and_redeliver(page, people, receiver, worker, django_capture_on_commit_callbacks):
    page.post("/unit/webhooks/add/", {"unit": people.unit.credit_code, "url": receiver.url})
    endpoint = Endpoint.objects.get()
    receiver.secret = EndpointSecret.objects.get().secret
    rotated = page.post(f"/unit/webhooks/{endpoint.pk}/rotate/")
    assert "whsec_" in rotated.content.decode()
    assert EndpointSecret.objects.filter(endpoint=endpoint).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        association_request(actor=people.applicant, association_code=people.unit.association_code)
    worker()
    delivery = Delivery.objects.get()
    log = page.get(f"/unit/webhooks/{endpoint.pk}/").content.decode()
    assert "association.requested" in log
    assert "HTTP 204" in log
    with django_capture_on_commit_callbacks(execute=True):
        again = page.post(f"/unit/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/")
    assert again.status_code == 302
    worker()
    assert Attempt.objects.filter(delivery=delivery).count() == 2
    assert len(receiver.received) == 2
    assert page.post(f"/unit/webhooks/{endpoint.pk}/disable/").status_code == 302
    assert not Endpoint.objects.get().enabled
    assert page.post(f"/unit/webhooks/{endpoint.pk}/enable/").status_code == 302
    assert Endpoint.objects.get().enabled


def test_another_unit_gets_404_and_other_roles_are_refused(page, people, receiver):
    page.post("/unit/webhooks/add/", {"unit": people.unit.credit_code, "url": receiver.url})
    endpoint = Endpoint.objects.get()
    other = signed_in(people.other_handler)
    assert receiver.url not in other.get("/unit/webhooks/").content.decode()
    assert other.get(f"/unit/webhooks/{endpoint.pk}/").status_code == 404
    assert other.post(f"/unit/webhooks/{endpoint.pk}/disable/").status_code == 404
    assert Endpoint.objects.get().enabled
    assert signed_in(people.applicant).get("/unit/webhooks/").status_code == 403
    assert signed_in(people.approver).get(f"/bureau/webhooks/{endpoint.pk}/").status_code == 404


def test_the_bureau_keeps_its_own_endpoints(people, receiver):
    bureau = signed_in(people.approver)
    assert bureau.get("/bureau/webhooks/").status_code == 200
    response = bureau.post("/bureau/webhooks/add/", {"url": receiver.url})
    assert "whsec_" in response.content.decode()
    assert Endpoint.objects.get().unit is None
    assert signed_in(people.clerk).get("/bureau/webhooks/").status_code == 403
