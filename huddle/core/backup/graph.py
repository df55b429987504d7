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
    {"accounts.user", "accounts.organization", "accounts.apitoken", "accounts.invitation"}
)

# Written blank: the model is data, this field is a secret (or a hint of one).
SECRET_FIELDS: dict[str, frozenset[str]] = {
    "runs.providerconfig": frozenset({"encrypted_key", "key_last4"}),
    "rituals.ritualsettings": frozenset(
        {"slack_url_encrypted", "slack_url_hint", "teams_url_encrypted", "teams_url_hint"}
    ),
    "rituals.ask": frozenset({"solve_token_hash"}),
}


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


def selected_rows(organization: Organization) -> Iterator[tuple[Node, list[models.Model]]]:
    """Each node with its rows of ``organization``, ordered by primary key."""
    picked: dict[type[models.Model], list[object]] = {}
    for node in organization_models():
        condition = models.Q()
        for key in node.org_keys:
            condition |= models.Q(**{key.attname: organization.pk})
        for key in node.parent_keys:
            condition |= models.Q(**{f"{key.attname}__in": picked[key.related_model]})
        rows = list(node.model._base_manager.filter(condition).order_by("pk"))
        picked[node.model] = [row.pk for row in rows]
        yield node, rows


def insert_order(nodes: list[Node]) -> list[Node]:
    """Nodes ordered so that every non-null foreign key points at an earlier node.

    Nullable keys may form cycles (an asset's approved version, a fork's original); restore
    fills those in a second pass.
    """
    by_model = {node.model: node for node in nodes}
    done: list[Node] = []
    seen: set[type[models.Model]] = set()

    def visit(node: Node, path: tuple[type[models.Model], ...]) -> None:
        if node.model in seen:
            return
        if node.model in path:
            raise ValueError(f"Non-null foreign keys form a cycle through {node.label}.")
        for key in foreign_keys(node.model):
            target = by_model.get(key.related_model)
            if target is not None and not key.null and target.model is not node.model:
                visit(target, (*path, node.model))
        seen.add(node.model)
        done.append(node)

    for node in nodes:
        visit(node, ())
    return done
