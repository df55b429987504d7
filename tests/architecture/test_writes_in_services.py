"""Pages, API handlers and CLI commands parse, call and render: they never write a model, read
one through its manager or through another object's related manager (``run.steps.all()``) nor
open a transaction (issue 20). Writes go through ``services.py``,
reads through ``queries.py`` (or ``accounts.policy``), so every door gets the same checks and
side effects. Several writes that must land together are one service, which owns the
transaction (``library.services.workflow_update`` for the API's PATCH).

The scan reads the source (``ast``) of every ``views.py``, ``api.py`` and ``cli.py`` module,
including ``import_views.py`` and the like, and the project's ``huddle/api.py`` and ``cli.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SURFACES = ("views.py", "api.py", "cli.py")
WRITES = frozenset(
    {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create",
     "update_or_create"}
)  # fmt: skip
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
# QuerySet methods: called on an attribute of something (``workflow.versions.filter``), a read
# through a related manager, which belongs in queries.py; and ``get`` without a positional
# argument (below).
READS = frozenset(
    {"all", "filter", "exclude", "order_by", "values", "values_list", "exists", "count",
     "first", "last", "select_related", "prefetch_related", "annotate", "aggregate", "only",
     "defer", "distinct", "in_bulk", "iterator", "latest", "earliest"}
)  # fmt: skip
# Attributes that are dicts, not related managers (``form.errors``' ``error.fields.values()``);
# names in capitals are constants (``packs.TARGETS.values()``).
NOT_RELATED = frozenset({"fields", "cleaned_data", "GET", "POST", "headers", "META"})
TAKEN = MANAGERS | {"atomic"}  # ``transaction.atomic``: a transaction belongs to a service
# Receivers that are not models yet have such methods: django-ninja's Router (``@router.delete``
# declares a route), rich's Progress (``progress.update``) and template-context dicts.
NOT_MODELS = frozenset({"router", "progress", "context"})
# (module, call) pairs allowed, each with the reason. None today.
ALLOWED: set[tuple[str, str]] = set()


def direct_data_access(source: str) -> list[tuple[int, str]]:
    """``(line, code)`` of each model write, manager use or transaction in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        opens_transaction = (
            isinstance(node, ast.ImportFrom) and node.module == "django.db.transaction"
        )
        if opens_transaction or (isinstance(node, ast.Attribute) and node.attr in TAKEN):
            found.append((node.lineno, ast.unparse(node)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITES
        ):
            receiver = node.func.value
            if isinstance(receiver, ast.Name) and receiver.id in NOT_MODELS:
                continue
            found.append((node.lineno, ast.unparse(node.func)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            # ``get`` with no positional argument is a manager's (``asset.versions.get()``,
            # ``.get(pk=…)``); a dict's ``get`` always names a key (``request.GET.get("q")``).
            and (node.func.attr in READS or (node.func.attr == "get" and not node.args))
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr not in NOT_RELATED
            and not node.func.value.attr.isupper()
        ):
            found.append((node.lineno, ast.unparse(node.func)))
    return found


def surface_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "huddle").rglob("*.py") if p.name.endswith(SURFACES))


def test_the_scan_finds_writes_managers_related_reads_and_transactions_but_not_dicts():
    source = """
from django.db.transaction import atomic

@router.delete("/{id}")
def remove(request, id):
    Run.objects.filter(pk=id).update(rating=None)
    run.save()
    Team._default_manager.create(name="x")
    context.update(extra=1)
    progress.update(task, advance=1)
    with transaction.atomic():
        pass
    steps = run.steps.all()
    done = actor.organization.digests.filter(status="sent").first()
    kept = queries.versions_of(workflow).filter(number=2)
    shown = error.fields.values(), packs.TARGETS.values(), request.GET.get("q")
    version, latest = asset.versions.get(), workflow.labels.get(name="latest")
"""
    found = sorted(code for _line, code in direct_data_access(source))
    assert found == [
        "Run.objects",
        "Run.objects.filter",
        "Run.objects.filter(pk=id).update",
        "Team._default_manager",
        "Team._default_manager.create",
        "actor.organization.digests.filter",
        "asset.versions.get",
        "from django.db.transaction import atomic",
        "run.save",
        "run.steps.all",
        "transaction.atomic",
        "workflow.labels.get",
    ]


def test_the_scan_covers_every_app():
    names = {p.relative_to(ROOT).as_posix() for p in surface_modules()}
    assert {"huddle/runs/views.py", "huddle/runs/api.py", "huddle/runs/cli.py"} <= names
    assert {"huddle/capture/import_views.py", "huddle/cli.py", "huddle/api.py"} <= names


@pytest.mark.parametrize("path", surface_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_views_api_and_cli_modules_write_through_services_and_read_through_queries(path):
    name = path.relative_to(ROOT).as_posix()
    found = [
        f"{name}:{line}: {code}"
        for line, code in direct_data_access(path.read_text(encoding="utf-8"))
        if (name, code) not in ALLOWED
    ]
    assert not found, (
        "write (and open transactions) in services.py, read in queries.py:\n" + "\n".join(found)
    )
