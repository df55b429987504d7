"""Members who tried but are not getting results, and the shared workflows likely to help."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from huddle.accounts.models import Membership
from huddle.insights.metrics.data.scope import WorkflowMeta
from huddle.insights.metrics.profiles import Material, MemberProfile
from huddle.insights.metrics.workflows import WorkflowFigures

HIGH_EDIT = 0.5  # mean edit ratio: half the AI's text rewritten
MIN_EDITED = 2
LOW_RATING = 2.5  # median rating
MIN_RATED = 2
FALLING = 0.5  # second half of the window below half the first
MIN_FIRST_HALF = 2
SUGGESTIONS = 3


@dataclass
class Struggle:
    profile: MemberProfile
    signals: list[str]
    suggestions: list[WorkflowFigures] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "email": self.profile.email,
            "name": self.profile.display_name,
            "runs": self.profile.runs,
            "signals": self.signals,
            "suggestions": [
                {"title": s.meta.title, "slug": s.meta.slug, "speedup": s.speedup}
                for s in self.suggestions
            ],
        }


def signals(p: MemberProfile) -> list[str]:
    found = []
    edits = p.mean_edit_ratio
    if edits is not None and edits >= HIGH_EDIT and p.tally.n("edited_runs") >= MIN_EDITED:
        found.append(f"rewrites {edits:.0%} of the AI's text on average")
    if p.median_rating is not None and p.median_rating <= LOW_RATING and p.tally.rated >= MIN_RATED:
        found.append(f"median rating {p.median_rating:g} of 5")
    if p.first_half_runs >= MIN_FIRST_HALF and p.second_half_runs < FALLING * p.first_half_runs:
        found.append(f"use falling: {p.first_half_runs} runs, then {p.second_half_runs}")
    return found


def _their_tasks(
    material: Material, user_id: int, workflow_ids: Iterable[int] | None = None
) -> tuple[set[str], set[str], set[int]]:
    """Tags and kinds of the workflows the member ran, and their ids. ``workflow_ids``: the
    member's workflows when the caller indexed them already (else the cells are scanned)."""
    tags: set[str] = set()
    kinds: set[str] = set()
    used: set[int] = set()
    if workflow_ids is None:
        workflow_ids = [w for (uid, w) in material.cells.runs if uid == user_id and w is not None]
    for workflow_id in workflow_ids:
        meta = material.workflows.get(workflow_id)
        if meta is not None:
            tags |= meta.tags
            kinds.add(meta.kind)
            used.add(meta.id)
    return tags, kinds, used


@dataclass
class _Candidate:
    meta: WorkflowMeta
    endorsed: bool
    speedup: float
    runs: int
    figures: WorkflowFigures
    order: int  # position in the library's order: ties keep it


@dataclass
class Pool:
    """Workflows that may be suggested to anyone, ranked once for every struggling member."""

    ranked: list[_Candidate]  # endorsed first, then by speed-up, then by use
    by_tag: dict[str, list[_Candidate]]


def candidates(material: Material, figures: dict[int, WorkflowFigures]) -> Pool:
    """Shared, live workflows with their figures worked out once."""
    found = []
    for meta in material.workflows.values():
        if not meta.shared or meta.status not in {"shared", "endorsed"}:
            continue
        fig = figures.get(meta.id) or WorkflowFigures(meta)
        found.append(
            _Candidate(meta, meta.status == "endorsed", fig.speedup or 0, fig.runs, fig, len(found))
        )
    ranked = sorted(found, key=lambda c: (c.endorsed, c.speedup, c.runs), reverse=True)
    by_tag: dict[str, list[_Candidate]] = {}
    for c in ranked:
        for tag in c.meta.tags:
            by_tag.setdefault(tag, []).append(c)
    return Pool(ranked, by_tag)


def suggestions(
    material: Material,
    profile: MemberProfile,
    figures: dict[int, WorkflowFigures],
    team_ids: set[int],
    workflow_ids: Iterable[int] | None = None,
    pool: Pool | None = None,
) -> list[WorkflowFigures]:
    """Shared workflows the member can open, not theirs and not tried yet, for the same tasks:
    those sharing a tag with what they ran first (more shared tags, then the same kind, break
    ties), then those of the same kind; within each, endorsed first, then by speed-up, then by
    use."""
    tags, kinds, used = _their_tasks(material, profile.user_id, workflow_ids)
    pool = pool if pool is not None else candidates(material, figures)

    def allowed(meta: WorkflowMeta) -> bool:
        return not (
            meta.owner_id == profile.user_id
            or meta.id in used
            or (meta.visibility == "team" and meta.team_id not in team_ids)
        )

    tagged: dict[int, _Candidate] = {}
    for tag in tags:
        for c in pool.by_tag.get(tag, ()):
            if c.meta.id not in tagged and allowed(c.meta):
                tagged[c.meta.id] = c
    picks = sorted(
        tagged.values(),
        key=lambda c: (
            c.endorsed,
            c.speedup,
            c.runs,
            2 * len(c.meta.tags & tags) + (c.meta.kind in kinds),
            -c.order,
        ),
        reverse=True,
    )[:SUGGESTIONS]
    for c in pool.ranked:  # best first: stop as soon as there are enough
        if len(picks) >= SUGGESTIONS:
            break
        if c.meta.kind in kinds and not c.meta.tags & tags and allowed(c.meta):
            picks.append(c)
    return [c.figures for c in picks]


def struggling(material: Material, figures: dict[int, WorkflowFigures]) -> list[Struggle]:
    out = []
    teams: dict[int, set[int]] = {}
    for user_id, team_id in Membership.teams.through.objects.filter(
        membership__organization=material.scope.organization
    ).values_list("membership__user_id", "team_id"):
        teams.setdefault(user_id, set()).add(team_id)
    pool = candidates(material, figures)
    for p in material.profiles:
        if p.runs == 0 or p.power_user:
            continue
        found = signals(p)
        if found:
            team_ids = teams.get(p.user_id, set())
            picks = suggestions(material, p, figures, team_ids, p.workflows_used, pool)
            out.append(Struggle(p, found, picks))
    out.sort(key=lambda s: (-len(s.signals), -s.profile.runs, s.profile.email))
    return out
