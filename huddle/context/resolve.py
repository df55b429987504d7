"""What the library calls to put context into prompts: ``{{ context.<slug> }}``.

``context_blocks_for(actor, refs)`` resolves references with the rights of the person rendering,
in one query. A reference to an asset that is missing, not visible to them, archived or not yet
approved is an error naming the slug, never a silent blank.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db.models import F, Q

from huddle.accounts import policy
from huddle.accounts.policy import Actor
from huddle.context.models import CONTEXT_SLUG_RE, ContextAsset, ContextVersion, Status
from huddle.core.errors import HuddleError

__all__ = [
    "CONTEXT_SLUG_RE",
    "ContextBlock",
    "ContextRef",
    "context_blocks_for",
    "context_not_found",
    "context_slugs_visible",
]

_SLUG = re.compile(CONTEXT_SLUG_RE)


@dataclass(frozen=True)
class ContextRef:
    slug: str
    version: int | None = None  # None: the latest approved version


@dataclass(frozen=True)
class ContextBlock:
    """One resolved asset. ``str(block)`` is its default rendering (campaign data: the summary);
    ``block["table"]`` a per-kind attribute (``KeyError`` for unknown ones)."""

    slug: str
    kind: str
    title: str
    version: int
    text: str
    parts: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text

    def __getitem__(self, key: str) -> str:
        return self.parts[key]


def context_not_found(slug: str, version: int | None = None) -> HuddleError:
    """The one error for a reference that can't be used: the same for missing and not yours."""
    what = f"Context '{slug}'" if version is None else f"Context '{slug}' version {version}"
    return HuddleError(
        "context_not_found",
        f"{what} does not exist or you can't see it.",
        status=422,
        fields={"context": [slug]},
    )


def context_blocks_for(actor: Actor, refs: Sequence[ContextRef]) -> dict[str, ContextBlock]:
    """Resolve ``refs`` (by slug) for ``actor``, keyed by slug. One query for all of them.

    Raises ``HuddleError(code="context_not_found", status=422)`` for the first reference that is
    missing, invisible to the actor, archived, has no approved version, or names a version that
    does not exist.
    """
    if not refs:
        return {}
    for ref in refs:
        if not _SLUG.match(ref.slug):
            raise context_not_found(ref.slug, ref.version)
    wanted = Q()
    latest = {ref.slug for ref in refs if ref.version is None}
    if latest:
        wanted |= Q(asset__slug__in=latest, asset__approved_version_id=F("id"))
    for ref in refs:
        if ref.version is not None:
            wanted |= Q(asset__slug=ref.slug, number=ref.version)
    # One filter() call, no exclude() and no ORDER BY: Django builds the SQL noticeably faster
    # that way.
    rows = (
        ContextVersion.objects.order_by()
        .filter(
            wanted,
            policy.visible_q(actor, "asset__"),
            asset__approved_version_id__isnull=False,
            asset__status__in=(Status.APPROVED, Status.DRAFT),
        )
        .values_list(
            "asset__slug",
            "asset__kind",
            "asset__title",
            "number",
            "asset__approved_version_id",
            "id",
            "parts",
        )
    )
    found: dict[tuple[str, int | None], ContextBlock] = {}
    for slug, kind, title, number, approved_id, version_id, parts in rows:
        block = ContextBlock(slug, kind, title, number, parts.get("text", ""), parts)
        found[(slug, number)] = block
        if approved_id == version_id:
            found[(slug, None)] = block
    blocks: dict[str, ContextBlock] = {}
    for ref in refs:
        block = found.get((ref.slug, ref.version))
        if block is None:
            raise context_not_found(ref.slug, ref.version)
        blocks[ref.slug] = block
    return blocks


def context_slugs_visible(actor: Actor) -> set[str]:
    """Slugs the actor may reference: visible, approved at least once, not archived."""
    return set(
        ContextAsset.objects.filter(policy.visible_q(actor), approved_version__isnull=False)
        .exclude(status=Status.ARCHIVED)
        .values_list("slug", flat=True)
    )
