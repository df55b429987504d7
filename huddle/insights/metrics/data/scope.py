"""Whose runs count (``Scope``) and the organisation's workflows as the figures see them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from huddle.accounts.models import Membership, Organization, Team, Visibility
from huddle.library.models import Workflow, WorkflowTag, WorkflowVersion

SHARED_VISIBILITIES = (Visibility.TEAM, Visibility.ORG)
# How long the rolled-up history and the workflows' metas stay cached: their keys name the state
# they were built from, so a change makes a new key, never a stale answer.
HISTORY_SECONDS = 3600


@dataclass
class Scope:
    """An organisation, or one team of it: whose runs count and who the members are."""

    organization: Organization
    team: Team | None = None
    # Set by ``pinned``: answers kept for the length of one report (see there).
    _kept: dict[Any, Any] | None = field(default=None, repr=False, compare=False)
    # The members the identity provider places there, e.g. ("department", "Legal"): a field of
    # ``sso.MemberAttributes`` and its value (insights by department and region).
    attribute: tuple[str, str] | None = None

    def pinned(self) -> Scope:
        """A copy that remembers its members and the workflows' state once looked up, so the
        several readings of one report ask once. Made per report, never kept longer."""
        return Scope(self.organization, self.team, {}, self.attribute)

    def keep(self, key: Any, compute: Any) -> Any:
        """``compute()``, asked once per ``key`` by a pinned scope (every time otherwise)."""
        if self._kept is None:
            return compute()
        if key not in self._kept:
            self._kept[key] = compute()
        return self._kept[key]

    def member_ids(self) -> list[int]:
        return self.keep("members", lambda: list(self.user_ids().values_list("user_id", flat=True)))

    def workflow_metas(self) -> dict[int, WorkflowMeta]:
        return self.keep("metas", lambda: _kept_workflows(self))

    def workflows_state(self) -> dict[str, Any]:
        """How many workflows the organisation has and when one last changed."""
        from django.db.models import Max

        return self.keep(
            "workflows",
            lambda: Workflow.objects.filter(organization=self.organization).aggregate(
                n=Count("id"), last=Max("updated_at")
            ),
        )

    def memberships(self) -> QuerySet[Membership]:
        qs = Membership.objects.filter(organization=self.organization).select_related("user")
        if self.team is not None:
            qs = qs.filter(teams=self.team)
        if self.attribute is not None:
            name, value = self.attribute
            # One filter() call: both conditions hold for the same attributes row.
            qs = qs.filter(
                user__member_attributes__organization=self.organization,
                **{f"user__member_attributes__{name}": value},
            )
        return qs.order_by("user__email")

    def user_ids(self) -> QuerySet:
        """A subquery, so 2,000 members cost no parameter list."""
        return self.memberships().values("user_id")

    @property
    def label(self) -> str:
        if self.attribute is not None:
            return self.attribute[1]
        return self.team.name if self.team else self.organization.name


@dataclass
class WorkflowMeta:
    id: int
    public_id: str
    slug: str
    title: str
    owner_id: int
    team_id: int | None
    visibility: str
    status: str
    kind: str
    tags: set[str] = field(default_factory=set)
    uses_context: bool = False

    @property
    def shared(self) -> bool:
        return self.visibility in SHARED_VISIBILITIES

    @property
    def chain(self) -> bool:
        return self.kind == "chain"


def workflows(organization: Organization) -> dict[int, WorkflowMeta]:
    """Every workflow of the organisation (a few columns), with tags and context use."""
    columns = ("id", "public_id", "slug", "title", "owner_id", "team_id", "visibility")
    metas = {
        row["id"]: WorkflowMeta(**{**row, "public_id": str(row["public_id"])})
        for row in Workflow.objects.filter(organization=organization).values(
            *columns, "status", "kind"
        )
    }
    for workflow_id, name in WorkflowTag.objects.filter(organization=organization).values_list(
        "workflow_id", "name"
    ):
        if workflow_id in metas:
            metas[workflow_id].tags.add(name)
    with_context = (
        WorkflowVersion.objects.filter(workflow__organization=organization)
        .exclude(context_refs=[])
        .values_list("workflow_id", flat=True)
        .distinct()
    )
    for workflow_id in with_context:
        if workflow_id in metas:
            metas[workflow_id].uses_context = True
    return metas


def _kept_workflows(scope: Scope) -> dict[int, WorkflowMeta]:
    """``workflows``, kept in the cache while the organisation's workflows and versions stay as
    they are: their count and newest change (every edit of a workflow's fields or tags saves
    it) and the newest version (context references live on versions). Reading them afresh was
    a twentieth of a warm report at 2,000 workflows (docs/performance.md)."""
    from django.core.cache import cache
    from django.db.models import Max

    organization = scope.organization
    newest_version = WorkflowVersion.objects.filter(workflow__organization=organization).aggregate(
        m=Max("id")
    )["m"]
    state = repr((scope.workflows_state(), newest_version))
    key = f"insights:workflows:{organization.pk}:{hashlib.sha256(state.encode()).hexdigest()[:32]}"
    return cache.get_or_set(key, lambda: workflows(organization), HISTORY_SECONDS)
