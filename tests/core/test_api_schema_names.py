"""The OpenAPI document names each request and response shape once."""

from __future__ import annotations

from collections import Counter

from ninja import Schema

from huddle.api import api


def _schemas(base: type) -> list[type]:
    found = []
    for sub in base.__subclasses__():
        if sub.__module__.startswith("huddle."):
            found.append(sub)
        found += _schemas(sub)
    return found


def test_no_two_api_schemas_share_a_name():
    """Components are keyed by class name: two ``StepIn`` classes (library, runs, captures)
    became one component, and the documented steps of a run were a capture's."""
    names = Counter(cls.__name__ for cls in set(_schemas(Schema)))
    assert [name for name, n in names.items() if n > 1] == []


def test_each_routes_step_shape_is_its_own():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert components["RunStepIn"]["properties"].keys() >= {"name", "prompt", "output"}
    assert components["TemplateStepIn"]["required"] == ["template"]
    assert components["CaptureStepIn"]["required"] == ["text"]
