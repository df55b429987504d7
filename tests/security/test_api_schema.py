"""The OpenAPI schema documents the one error shape every route can answer with."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_every_operation_documents_the_error_shape_as_its_default_response():
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) > 40
    undocumented = [
        f"{method.upper()} {path}"
        for path, method, operation in operations
        if operation["responses"].get("default", {}).get("content", {}).get("application/json")
        != {"schema": {"$ref": "#/components/schemas/Error"}}
    ]
    assert undocumented == []


def test_a_request_without_a_token_gets_the_documented_error_body():
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == "unauthenticated"
