"""Reads of the library, always through ``policy.visible_q``: lists are filtered in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from huddle.accounts import policy
from huddle.accounts.models import Organization
from huddle.accounts.policy import Actor
from huddle.core.errors import NotFound
from huddle.library import search
from huddle.library.models import (
    Label,
    Status,
    Workflow,
    WorkflowLabel,
    WorkflowTag,
    WorkflowVersion,
)

SORTS = {
    "relevance": "Best match",
    "recent": "Recently updated",
    "used": "Most used",
    "starred": "Most starred",
}


@dataclass(frozen=True)
class LibraryFilter:
    q: str = ""
    kind: str = ""
    tag: str = ""
    team: str = ""  # team slug
    owner: str = ""  # owner email
    status: str = ""  # "" = everything but archived
    sort: str = ""  # relevance when q, else recent


def visible_workflows(actor: Actor) -> QuerySet[Workflow]:
    return Workflow.objects.filter(policy.visible_q(actor))


def search_workflows(actor: Actor, filters: LibraryFilter) -> QuerySet[Workflow]:
    """The workflows the actor may see that match ``filters``, in the requested order."""
    queryset = visible_workflows(actor).select_related("owner", "team")
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.tag:
        # The organisation in the same join lets the (organization, name) index find the tagged
        # workflows (3.5k of 100k) instead of probing the tag of every workflow.
        queryset = queryset.filter(
            tags__organization_id=actor.organization.pk, tags__name=filters.tag
        )
    if filters.team:
        queryset = queryset.filter(team__slug=filters.team)
    if filters.owner:
        queryset = queryset.filter(owner__email__iexact=filters.owner)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    else:
        queryset = queryset.exclude(status=Status.ARCHIVED)
    sort = filters.sort or ("relevance" if filters.q.strip() else "recent")
    if filters.q.strip():
        if not search.words(filters.q):
            return queryset.none()  # only punctuation: nothing to look for
        queryset = search.rank(queryset, filters.q)
        if sort == "relevance":
            # Ties go to the newest workflow. The id (equal to the search row's key) lets
            # PostgreSQL sort the matches before joining each to its workflow and stop at the
            # page's last visible one; with ``updated_at`` as the tie-break it joined every tied
            # match first (one-word queries: 17k matches, 62 -> 28 ms; docs/performance.md).
            return queryset.order_by("-score", "-id")
    order = {
        "used": ["-use_count", "-updated_at"],
        "starred": ["-star_count", "-updated_at"],
    }.get(sort, ["-updated_at", "-id"])
    return queryset.order_by(*order)


def get_workflow(actor: Actor, key: str | UUID) -> Workflow:
    """A workflow by slug or public id, if the actor may see it; ``NotFound`` otherwise."""
    queryset = visible_workflows(actor).select_related("owner", "team", "forked_from")
    text = str(key)
    try:
        lookup = {"public_id": UUID(text)}
    except ValueError:
        lookup = {"slug": text}
    workflow = queryset.filter(**lookup).first()
    if workflow is None:
        raise NotFound()
    return workflow


def get_version(workflow: Workflow, number: int) -> WorkflowVersion:
    version = workflow.versions.filter(number=number).first()
    if version is None:
        raise NotFound("No such version.")
    return version


def labels_of(workflow: Workflow) -> dict[int, list[str]]:
    """Version number → the labels pointing at it."""
    result: dict[int, list[str]] = {}
    for name, number in workflow.labels.values_list("name", "version__number"):
        result.setdefault(number, []).append(name)
    return result


def endorsed_version(workflow: Workflow) -> WorkflowVersion | None:
    label = workflow.labels.select_related("version").filter(name=Label.ENDORSED).first()
    return label.version if label else None


def versions_of(workflow: Workflow) -> QuerySet[WorkflowVersion]:
    """The workflow's versions with their authors, newest first."""
    return workflow.versions.select_related("author").order_by("-number")


def version_numbers(workflow: Workflow) -> list[int]:
    return list(workflow.versions.order_by("number").values_list("number", flat=True))


def tags_of(workflow: Workflow) -> list[WorkflowTag]:
    return list(workflow.tags.all())


def is_starred(actor: Actor, workflow: Workflow) -> bool:
    return workflow.stars.filter(user=actor.user).exists()


def visible_forks(actor: Actor, workflow: Workflow) -> QuerySet[Workflow]:
    return visible_workflows(actor).filter(forked_from=workflow).select_related("owner")


TAGS_SECONDS = 300


def tags_in_use(actor: Actor) -> list[str]:
    """Tag names on at least one workflow the actor may see (not archived), sorted; kept in the
    cache per member, their teams and the library's newest change.

    Every change to a workflow that could change the answer — created, tags edited, shared,
    archived — saves it and so moves ``updated_at``; joining or leaving a team changes the key
    too. So the list is recomputed as soon as it could differ, and otherwise costs two indexed
    reads (on PostgreSQL the probes below were half of the library page: 12.7 of 25.6 ms).
    """
    from django.core.cache import cache

    organization = actor.organization
    newest = (
        Workflow.objects.filter(organization=organization)
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    if newest is None:
        return []
    teams = sorted(actor.membership.teams.values_list("pk", flat=True))
    key = f"library:tags:{organization.pk}:{actor.user.pk}:{teams}:{newest.isoformat()}"
    return cache.get_or_set(key, lambda: _tags_in_use(actor), TAGS_SECONDS)


def _tags_in_use(actor: Actor) -> list[str]:
    """Tag names on at least one workflow the actor may see (not archived), sorted.

    The organisation's distinct tag names come from the ``tag_org_name`` index (a few dozen in
    practice); each is then kept when an ``EXISTS``-style probe finds one visible workflow
    carrying it, which stops at the first hit. A ``DISTINCT`` over the join of every visible
    workflow cost 72 ms of a 102 ms library page at 100k workflows (docs/performance.md). The
    probe is compiled once and run for each name with only the name changed: compiling it
    through the ORM per name cost more than running it (21 ms -> 3 ms a page).
    """
    organization = actor.organization
    names = list(
        WorkflowTag.objects.filter(organization=organization)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    if not names:
        return []
    visible = visible_workflows(actor).exclude(status=Status.ARCHIVED)
    probe = visible.filter(tags__organization=organization, tags__name=_TAG_SLOT)
    probe = probe.order_by().values("pk")[:1]
    sql, params = probe.query.sql_with_params()
    slot = list(params).index(_TAG_SLOT)
    kept = []
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(sql, [*params[:slot], name, *params[slot + 1 :]])
            if cursor.fetchone() is not None:
                kept.append(name)
    return kept


_TAG_SLOT = "\x00tag name\x00"  # stands for the name in the compiled probe; no tag holds NUL


# --- for the API, the CLI and YAML export/import ---------------------------------------------


def with_listing_data(queryset: QuerySet[Workflow]) -> QuerySet[Workflow]:
    """Add what a list row shows (owner, team, fork source, tags, ``latest_number``)."""
    latest = WorkflowLabel.objects.filter(workflow=OuterRef("pk"), name=Label.LATEST).values(
        "version__number"
    )[:1]
    return (
        queryset.select_related("owner", "team", "forked_from")
        .prefetch_related("tags")
        .annotate(latest_number=Subquery(latest))
    )


def organization_workflows(organization: Organization, *, q: str = "") -> QuerySet[Workflow]:
    """Every workflow of an organisation, archived included: the operator's view (CLI on the host).

    Never use this for a member: it ignores visibility. With ``q``, only full-text matches.
    """
    queryset = Workflow.objects.filter(organization=organization)
    if q.strip():
        scores = search.match(organization.pk, q)
        queryset = queryset.filter(pk__in=[pk for pk, _ in scores])
    return queryset.order_by("slug")


def context_usages(actor: Actor, asset: object) -> list[Any]:
    """Workflows (visible to the actor) whose latest version references a context asset, with
    how many runs used them: what the context app shows under "Where it's used"."""
    from django.urls import reverse

    from huddle.context.usage import Usage

    slug = asset.slug  # type: ignore[attr-defined]
    candidates = (
        visible_workflows(actor)
        .filter(labels__name=Label.LATEST, labels__version__context_refs__icontains=slug)
        .select_related("organization")
        .values_list("title", "slug", "use_count", "labels__version__context_refs")
    )
    usages = []
    for title, workflow_slug, uses, refs in candidates:
        if any(ref.get("slug") == slug for ref in refs or []):
            url = reverse("workflow_detail", args=[actor.organization.slug, workflow_slug])
            usages.append(Usage(label=title, url=url, runs=uses))
    return usages
