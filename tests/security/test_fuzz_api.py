"""Schemathesis over the whole OpenAPI schema, authenticated as a member of the demo
organisation: no 5xx, and every response conforms to the schema (status code, headers, body).

``HUDDLE_FUZZ_EXAMPLES`` sets the examples per operation (default 10; 0 skips the test);
``-m "not fuzz"`` skips it too. The number of calls made is printed in the terminal summary
(``tests/security/conftest.py``).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from huddle.accounts.models import Membership
from huddle.accounts.policy import Actor
from huddle.accounts.services import token_create
from huddle.demo import load_demo
from huddle.wsgi import application
from tests.security.conftest import FUZZ_CALLS

EXAMPLES = int(os.environ.get("HUDDLE_FUZZ_EXAMPLES", "10"))

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.skipif(EXAMPLES <= 0, reason="HUDDLE_FUZZ_EXAMPLES=0"),
]


@pytest.fixture
def api_schema(db):  # type: ignore[no-untyped-def]
    # Like Django's test client: don't let the request signals close the test's connection
    # (inside the test transaction it would look unusable and be closed, on PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def member_token(db) -> str:
    """A bearer token of Maya, a member (not an admin) of the demo organisation ``acme``."""
    acme = load_demo().organization
    membership = Membership.objects.get(organization=acme, user__email="maya@acme.test")
    _token, raw = token_create(actor=Actor(membership), name="fuzz")
    return raw


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema_and_never_fails_with_5xx(case, member_token):
    FUZZ_CALLS[case.operation.label] = FUZZ_CALLS.get(case.operation.label, 0) + 1
    case.call_and_validate(
        headers={"Authorization": f"Bearer {member_token}"},
        # Business rules (a title is required, 1 to 104 weeks) are stricter than the schema says,
        # so "schema-valid request rejected" would flag every such rule. "Schema-violating
        # request accepted" found bodies that were not objects, lax values and merged schemas
        # (all fixed: docs/security.md); it still flags list routes ignoring query parameters
        # they do not know. The rest run: 5xx, status codes, content types, headers, bodies
        # against the schema, ignored auth.
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
