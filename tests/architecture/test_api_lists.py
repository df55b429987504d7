"""Every list of the API pages alike through ``core.paging.cursor_page`` (issue 20): the answer
is ``{"items", "next_cursor"}``, the parameters ``cursor`` and ``limit``, and a bad cursor or a
``limit`` outside 1-100 is a 422 naming the parameter.

The OpenAPI schema is the source: a ``GET`` that answers a bare JSON array, or an object with
``items`` but not the page's shape, fails here; so does a list whose handler skips the pager.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from huddle.api import api

PAGE = {"items", "next_cursor"}
# Answers that hold a list but are one thing, not a list to page through, with the reason.
WHOLE = {
    "/api/v1/wins": "one week's candidates with the week's vote state (who voted, is it open)",
}


def _schema() -> dict[str, Any]:
    return api.get_openapi_schema()


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def list_operations() -> list[tuple[str, dict[str, Any]]]:
    """``(path, operation)`` of every GET whose answer is a list or a page of one."""
    schema = _schema()
    found = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        responses = operation["responses"]
        content = (responses.get(200) or responses.get("200") or {}).get("content", {})
        body = _resolve(schema, content.get("application/json", {}).get("schema", {}))
        if body.get("type") == "array" or "items" in body.get("properties", {}):
            found.append((path, operation | {"_body": body}))
    return found


def _handler(operation_id: str) -> Any:
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                if api.get_openapi_operation_id(op) == operation_id:
                    return op.view_func
    raise LookupError(operation_id)


def test_the_scan_sees_the_lists():
    paths = {path for path, _operation in list_operations()}
    assert {"/api/v1/runs", "/api/v1/workflows", "/api/v1/context", "/api/v1/asks"} <= paths
    assert "/api/v1/workflows/{id}/versions" in paths


@pytest.mark.parametrize(
    ("path", "operation"), list_operations(), ids=[p for p, _o in list_operations()]
)
def test_every_api_list_is_a_page_of_the_one_cursor_pager(path, operation):
    if path in WHOLE:
        pytest.skip(WHOLE[path])
    body = operation["_body"]
    assert body.get("type") != "array", f"{path} answers a bare array; page it"
    assert set(body["properties"]) == PAGE, f"{path} answers {sorted(body['properties'])}"
    parameters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    assert {"cursor", "limit"} <= parameters, f"{path} takes {sorted(parameters)}"
    assert "cursor_page(" in inspect.getsource(_handler(operation["operationId"]))


@pytest.mark.django_db
def test_every_list_refuses_a_bad_cursor_or_limit_with_a_422_naming_it(admin, api_client):
    from tests.context.helpers import make_asset
    from tests.factories import make_workflow

    ids = {"id": make_workflow(admin).public_id, "asset_id": make_asset(admin).public_id}
    client = api_client(admin)
    for path, _operation in list_operations():
        if path in WHOLE:
            continue
        url = path.format(**ids)
        assert client.get(url).status_code == 200, url
        for params, field in (({"cursor": "forged"}, "cursor"), ({"limit": 0}, "limit")):
            response = client.get(url, params)
            assert response.status_code == 422, (url, params)
            assert field in response.json()["error"]["fields"], (url, response.json())
