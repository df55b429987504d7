"""The library's door to context assets (``{{ context.<slug> }}``), resolved with the rights of
the person rendering (``huddle.context.resolve``)."""

from __future__ import annotations

from collections.abc import Sequence

from huddle.accounts.policy import Actor
from huddle.context import resolve
from huddle.context.resolve import ContextBlock
from huddle.library.content import ContextRef


def known_slugs(actor: Actor) -> set[str]:
    return resolve.context_slugs_visible(actor)


def blocks_for(actor: Actor, refs: Sequence[ContextRef]) -> dict[str, ContextBlock]:
    """Resolve references; ``HuddleError`` (``context_not_found``) names a slug it can't use."""
    if not refs:
        return {}
    return resolve.context_blocks_for(
        actor, [resolve.ContextRef(slug=r.slug, version=r.version) for r in refs]
    )
