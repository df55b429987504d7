"""Context tests keep uploaded files in a temporary media root (the ``media`` fixture)."""

from tests.imports.conftest import media  # noqa: F401 - an autouse fixture, shared
