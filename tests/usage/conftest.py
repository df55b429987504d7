from __future__ import annotations

import io

import pytest

from tests.factories import MembershipFactory, UserFactory
from tests.imports.conftest import cli, media  # noqa: F401 - fixtures (media is autouse)


@pytest.fixture
def members(org):
    """ann, bob and cat are members of ``org`` (e-mails @acme.test)."""
    return {
        name: MembershipFactory(organization=org, user=UserFactory(email=f"{name}@acme.test"))
        for name in ("ann", "bob", "cat")
    }


@pytest.fixture
def run_import(org):
    """``run_import(data: bytes, source, **kwargs)`` → the ``UsageImport`` (operator import)."""
    from huddle.usage.services import usage_import

    def _run(data: bytes, source: str, **kwargs):
        return usage_import(
            actor=None,
            organization=org,
            source=source,
            stream=io.BytesIO(data),
            file_name=f"{source}.csv",
            total_bytes=len(data),
            **kwargs,
        )

    return _run
