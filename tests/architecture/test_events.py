"""Events are written in one place: ``core.services.event_record`` (issue 20). Every other
module records through it, so each event names its organisation and actor the same way."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORDER = "huddle/core/services.py"


def event_writes(source: str) -> list[int]:
    """Lines where ``source`` creates an ``Event`` row (``Event.objects.create``/``bulk_create``,
    ``Event(...)``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id == "Event") or (
            isinstance(func, ast.Attribute)
            and func.attr in {"create", "bulk_create", "get_or_create", "update_or_create"}
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "Event"
        ):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_event_rows_made_by_hand():
    source = "Event.objects.create(kind='x')\nEvent(kind='y').save()\nRun.objects.create()\n"
    assert event_writes(source) == [1, 2]


def test_only_core_services_creates_events():
    found = {
        path.relative_to(ROOT).as_posix(): lines
        for path in sorted((ROOT / "huddle").rglob("*.py"))
        if (lines := event_writes(path.read_text()))
    }
    assert list(found) == [RECORDER], found
