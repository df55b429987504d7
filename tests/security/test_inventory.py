"""Every page route and API operation is in the isolation matrix, or excluded with a reason."""

from __future__ import annotations

from tests.security.figures import record
from tests.security.routes import API, API_EXCLUDED, EXCLUDED, PAGES, api_operations, page_routes


def test_every_page_route_is_in_the_matrix_or_excluded_with_a_reason():
    names = {route.name for route in page_routes()}
    missing = sorted(names - PAGES.keys() - EXCLUDED.keys())
    stale = sorted((PAGES.keys() | EXCLUDED.keys()) - names)
    assert not missing, f"page routes missing from tests/security/routes.py: {missing}"
    assert not stale, f"routes in the matrix that no longer exist: {stale}"
    assert all(reason for reason in EXCLUDED.values())


def test_every_api_operation_is_in_the_matrix_or_excluded_with_a_reason():
    ids = {op.operation_id for op in api_operations()}
    missing = sorted(ids - API.keys() - API_EXCLUDED.keys())
    stale = sorted((API.keys() | API_EXCLUDED.keys()) - ids)
    assert not missing, f"API operations missing from tests/security/routes.py: {missing}"
    assert not stale, f"operations in the matrix that no longer exist: {stale}"
    pages = {route.name for route in page_routes()}
    record(
        "inventory",
        routes_in_matrix=len(PAGES) + len(API),
        routes_total=len(pages) + len(ids),
        pages=f"{len(PAGES)}/{len(pages)}",
        api=f"{len(API)}/{len(ids)}",
    )


def test_page_routes_are_found_with_their_converters():
    routes = {route.name: route for route in page_routes()}
    expected = ("SlugConverter", "SlugConverter", "IntConverter")
    assert routes["workflow_version"].converters == expected
    assert routes["run_detail"].pattern == "/o/<slug:org_slug>/runs/<uuid:run_id>/"
