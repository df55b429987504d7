"""Pages read what a person posts through a Django form (or one typed reader such as
``runs.services.Figures.from_data``), never by picking keys out of ``request.POST`` (issue 20):
a form validates every field, shows its message next to the field and writes nothing on bad
input.

The scan reads the source (``ast``) of every views module and fails on ``request.POST[key]``,
``request.POST.get(...)`` and the other ways of reading a key (also through a name bound to
``request.POST``). Handing the whole ``request.POST`` to a form or a reader is what it allows.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READS = frozenset({"get", "getlist", "items", "keys", "values", "lists", "dict", "__getitem__"})


def _is_post(node: ast.AST, aliases: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in aliases
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "POST"
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    )


def post_reads(source: str) -> list[tuple[int, str]]:
    """``(line, code)`` of each read of a posted key in ``source``."""
    tree = ast.parse(source)
    aliases = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _is_post(node.value, set())
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_post(node.value, aliases):
            found.append((node.lineno, ast.unparse(node)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in READS
            and _is_post(node.func.value, aliases)
        ):
            found.append((node.lineno, ast.unparse(node.func)))
    return found


def views_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "huddle").rglob("*.py") if p.name.endswith("views.py"))


def test_the_scan_finds_keys_read_by_hand_and_spares_forms():
    source = """
def page(request):
    form = ThingForm(request.POST or None)
    figures = Figures.from_data(request.POST)
    name = request.POST.get("name", "")
    tags = request.POST.getlist("tags")
    text = request.POST["text"]
    post = request.POST
    rating = post.get("rating")
"""
    found = sorted(code for _line, code in post_reads(source))
    assert found == [
        "post.get",
        "request.POST.get",
        "request.POST.getlist",
        "request.POST['text']",
    ]


@pytest.mark.parametrize("path", views_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_pages_read_posted_fields_through_forms(path):
    found = post_reads(path.read_text())
    assert not found, "Read these through a form: " + ", ".join(
        f"line {line}: {code}" for line, code in found
    )
