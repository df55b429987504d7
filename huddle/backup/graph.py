"""Which models and rows make up an organisation, found by walking the app registry.

A model *belongs* to an organisation when it has a foreign key to ``Organization`` (``Run``,
``Event``, ``Workflow`` …) or, transitively, a cascading foreign key to a model that does
(``RunStep`` → ``Run``, ``WorkflowVersion`` → ``Workflow``, ``Delivery`` → ``Digest`` …). New
models are picked up without touching this file; ``EXCLUDED`` and ``SECRET_FIELDS`` are the only
lists to keep, and a test fails when a field that looks secret is in neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from huddle.accounts.models import Organization

# Never written: secrets through and through (token hashes of API tokens and invitation links).
# ``User`` and ``Organization`` are written separately, as the few fields restore needs.
EXCLUDED = frozenset(
    {
        "accounts.user",
        "accounts.organization",
        "accounts.apitoken",
        "accounts.invitation",
        "sso.scimtoken",
    }
)

# Written blank: the model is data, this field is a secret (or a hint of one).
SECRET_FIELDS: dict[str, frozenset[str]] = {
    "runs.providerconfig": frozenset({"encrypted_key", "key_last4"}),
    "rituals.ritualsettings": frozenset(
        {"slack_url_encrypted", "slack_url_hint", "teams_url_encrypted", "teams_url_hint"}
    ),
    "rituals.ask": frozenset({"solve_token_hash"}),
    "sso.ssoconfig": frozenset({"oidc_secret_encrypted"}),
}


# Fields whose Python value is what both the database and JSON take as it is, and its type:
# backup writes it and restore inserts it without converting. Exact types: a subclass may
# convert its values (an encrypted field, say).
PLAIN_FIELDS: dict[type[models.Field], type] = {
    models.AutoField: int, models.BigAutoField: int, models.SmallAutoField: int,
    models.BooleanField: bool, models.CharField: str, models.EmailField: str,
    models.SlugField: str, models.URLField: str, models.TextField: str, models.FloatField: float,
    models.IntegerField: int, models.BigIntegerField: int, models.SmallIntegerField: int,
    models.PositiveIntegerField: int, models.PositiveBigIntegerField: int,
    models.PositiveSmallIntegerField: int, models.ForeignKey: int, models.OneToOneField: int,
}  # fmt: skip


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    """Concrete many-to-one and one-to-one fields, in declaration order."""
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _org_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [f for f in foreign_keys(model) if f.related_model is Organization]


@dataclass(frozen=True)
class Node:
    """One model of the organisation and how its rows are found."""

    model: type[models.Model]
    org_keys: tuple[models.ForeignKey, ...]  # filter by organisation directly
    parent_keys: tuple[models.ForeignKey, ...]  # else: rows whose parent is selected

    @property
    def label(self) -> str:
        return label(self.model)


def organization_models() -> list[Node]:
    """Every model that belongs to an organisation, parents before their dependents."""
    candidates = [
        m
        for m in apps.get_models()
        if label(m) not in EXCLUDED and not m._meta.proxy and m._meta.managed
    ]
    nodes: list[Node] = []
    chosen: set[type[models.Model]] = set()
    for model in candidates:
        keys = _org_keys(model)
        if keys:
            nodes.append(Node(model, tuple(keys), ()))
            chosen.add(model)
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model in chosen:
                continue
            parents = tuple(
                f
                for f in foreign_keys(model)
                if f.related_model in chosen and f.remote_field.on_delete is models.CASCADE
            )
            if parents:
                nodes.append(Node(model, (), parents))
                chosen.add(model)
                grew = True
    return nodes


def organization_querysets(
    organization: Organization,
) -> Iterator[tuple[Node, models.QuerySet]]:
    """Each node with the query of its rows of ``organization``, ordered by primary key. A node
    found through its parents selects by a subquery of theirs, never by a list of their keys
    (a million runs' ids would pass SQLite's limit of parameters)."""
    selected: dict[type[models.Model], models.QuerySet] = {}
    for node in organization_models():
        condition = models.Q()
        for key in node.org_keys:
            condition |= models.Q(**{key.attname: organization.pk})
        for key in node.parent_keys:
            parents = selected[key.related_model].order_by().values("pk")
            condition |= models.Q(**{f"{key.attname}__in": parents})
        rows = node.model._base_manager.filter(condition).order_by("pk")
        selected[node.model] = rows
        yield node, rows


def selected_rows(organization: Organization) -> Iterator[tuple[Node, list[models.Model]]]:
    """Each node with its rows of ``organization``, ordered by primary key, in memory (tests)."""
    for node, rows in organization_querysets(organization):
        yield node, list(rows)


def insert_order(nodes: list[Node]) -> list[Node]:
    """Nodes ordered so that every non-null foreign key points at an earlier node, and nullable
    ones too where that makes no cycle (a run's version: its versions go first).

    Nullable keys that would close a cycle (an asset's approved version, a fork's original) are
    left to point forwards; restore fills those in a second pass, one row at a time.
    """
    by_model = {node.model: node for node in nodes}
    hard: dict[type[models.Model], set[type[models.Model]]] = {}

    def needs(model: type[models.Model]) -> set[type[models.Model]]:
        """Every node ``model`` depends on through non-null keys, transitively."""
        if model not in hard:
            hard[model] = set()
            for key in foreign_keys(model):
                target = by_model.get(key.related_model)
                if target is not None and not key.null and target.model is not model:
                    hard[model] |= {target.model, *needs(target.model)}
        return hard[model]

    done: list[Node] = []
    seen: set[type[models.Model]] = set()

    def visit(node: Node, path: tuple[type[models.Model], ...]) -> None:
        if node.model in seen:
            return
        if node.model in path:
            raise ValueError(f"Non-null foreign keys form a cycle through {node.label}.")
        inside = (*path, node.model)
        for key in sorted(foreign_keys(node.model), key=lambda k: k.null):
            target = by_model.get(key.related_model)
            if target is None or target.model is node.model:
                continue
            if key.null and (
                target.model in inside or any(m in needs(target.model) for m in inside)
            ):
                continue  # it would close a cycle: this key points forwards
            visit(target, inside)
        seen.add(node.model)
        done.append(node)

    for node in nodes:
        visit(node, ())
    return done
