"""The OpenAPI document describes the people and unit endpoints, and malformed bodies get the contract's 422 with
paths relative to the body (contracts/cases-api.md §Errors)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import API

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/me"): None, ("get", "/me/profile"): None, ("put", "/me/profile"): "inline",
    ("post", "/associations"): "AssociationRequestIn", ("get", "/associations"): None,
    ("post", "/associations/{association_id}/accept"): None, ("post", "/associations/{association_id}/refuse"): None,
    ("post", "/associations/{association_id}/release"): "AssociationReleaseIn",
    ("get", "/permits"): None, ("get", "/permits/{number}"): None, ("get", "/slots"): None,
    ("post", "/units"): "UnitIn", ("get", "/units/{credit_code}"): None, ("put", "/units/{credit_code}"): "UnitIn",
    ("post", "/units/{credit_code}/quota-requests"): "QuotaRequestIn",
    ("post", "/quota-requests/{request_id}/grant"): "QuotaGrantIn",
    ("get", "/units/{credit_code}/quota/{year}"): None,
    ("post", "/units/{credit_code}/penalties"): "PenaltyIn",
    ("post", "/units/{credit_code}/penalties/{kind}/lift"): "PenaltyLiftIn",
}


@pytest.fixture(scope="module")
def document() -> dict:
    return Client().get(f"{API}/openapi.json").json()


def test_every_endpoint_is_described_with_its_bodies_and_refusals(document):
    for (method, path), request_schema in OPERATIONS.items():
        operation = document["paths"][f"{API}{path}"][method]
        assert {"200", "201"} & set(operation["responses"]), (method, path)
        assert {"401", "429"} <= set(operation["responses"]), (method, path)
        if request_schema == "inline":
            assert operation["requestBody"]["content"]["application/json"]["schema"]["additionalProperties"] is False
        elif request_schema:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            assert body == {"$ref": f"#/components/schemas/{request_schema}"}


def test_the_profile_is_described_field_for_field_without_the_permit(document):
    schema = document["paths"][f"{API}/me/profile"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert "hukou" in schema["properties"]
    assert "permit" not in schema["properties"]
    refs = {ref.rsplit("/", 1)[-1] for ref in _refs(schema)}
    assert refs <= set(document["components"]["schemas"])


def test_unit_facts_the_system_keeps_are_not_in_the_request_schema(document):
    properties = document["components"]["schemas"]["UnitIn"]["properties"]
    assert not {"account", "quota_remaining", "quota_frozen", "penalty"} & set(properties)
    assert {"credit_code", "name", "kind", "tax_paid_since"} <= set(document["components"]["schemas"]["UnitIn"]["required"])


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        return [node["$ref"]] if "$ref" in node else [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


@pytest.mark.parametrize("raw", [b"[]", b"null", b"", b'"unit"'])
def test_a_body_that_is_not_an_object_is_422_naming_body(api, raw):
    response = api.handler.client.post(f"{API}/units", raw, content_type="application/json",
                                       headers=api.handler.headers)
    assert response.status_code == 422
    assert response.json() == {"error": "invalid_request", "fields": {"body": response.json()["fields"]["body"]}}


def test_malformed_json_is_422_invalid_request(api):
    response = api.handler.client.post(f"{API}/units", b"{not json", content_type="application/json",
                                       headers=api.handler.headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert list(response.json()["fields"]) == ["body"]
