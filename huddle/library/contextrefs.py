"""The library's door to context assets (``{{ context.<slug> }}``).

Context lives in its own app below the library. Until that app is installed, no context slug is
known, so any reference is reported as unknown when a workflow is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import apps

from huddle.accounts.policy import Actor
from huddle.library.content import ContextRef


def known_slugs(actor: Actor) -> set[str]:
    if not apps.is_installed("huddle.context"):
        return set()
    from huddle.context.resolve import context_slugs_visible

    return context_slugs_visible(actor)


def blocks_for(actor: Actor, refs: Sequence[ContextRef]) -> dict[str, Any]:
    """Resolve references with the actor's rights; raises ``HuddleError`` naming a missing slug."""
    if not refs:
        return {}
    if not apps.is_installed("huddle.context"):
        from huddle.core.errors import HuddleError

        slug = refs[0].slug
        raise HuddleError(
            "context_not_found",
            f"Context '{slug}' does not exist or you can't see it.",
            status=422,
            fields={"context": [slug]},
        )
    from huddle.context import resolve

    return resolve.context_blocks_for(
        actor, [resolve.ContextRef(slug=r.slug, version=r.version) for r in refs]
    )
