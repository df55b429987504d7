"""Knowledge flow: who runs whose workflows (author → user, weighted by runs)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from huddle.insights.metrics.profiles import Material, MemberProfile

MAX_NODES = 30  # the drawing keeps the most connected people; the tables list everyone


@dataclass
class Edge:
    author: MemberProfile
    user: MemberProfile
    runs: int


@dataclass
class Connector:
    profile: MemberProfile
    reached: int  # distinct people who ran their workflows
    learned_from: int  # distinct authors whose workflows they ran
    runs: int  # runs on the edges touching them

    @property
    def people(self) -> int:
        return self.reached + self.learned_from


@dataclass
class Node:
    profile: MemberProfile
    x: float
    y: float
    r: float


@dataclass
class Flow:
    edges: list[Edge]
    connectors: list[Connector]
    nodes: list[Node]
    lines: list[tuple[Node, Node, float, int]]  # from, to, stroke width, runs
    size: int = 520


def flow(material: Material) -> Flow:
    profiles = {p.user_id: p for p in material.profiles}
    weights: dict[tuple[int, int], int] = defaultdict(int)
    for (user_id, workflow_id), runs in material.cells.runs.items():
        meta = material.workflows.get(workflow_id) if workflow_id is not None else None
        if meta is None or meta.owner_id == user_id:
            continue
        if meta.owner_id in profiles and user_id in profiles:
            weights[(meta.owner_id, user_id)] += runs
    email = {uid: p.email for uid, p in profiles.items()}
    pairs = sorted(
        ((-n, email[a], email[u], a, u) for (a, u), n in weights.items() if n),
    )
    edges = [Edge(profiles[a], profiles[u], -n) for n, _ae, _ue, a, u in pairs]
    reached: dict[int, set[int]] = defaultdict(set)
    learned: dict[int, set[int]] = defaultdict(set)
    touching: dict[int, int] = defaultdict(int)
    for e in edges:
        reached[e.author.user_id].add(e.user.user_id)
        learned[e.user.user_id].add(e.author.user_id)
        touching[e.author.user_id] += e.runs
        touching[e.user.user_id] += e.runs
    connectors = sorted(
        (
            Connector(profiles[uid], len(reached[uid]), len(learned[uid]), touching[uid])
            for uid in touching
        ),
        key=lambda c: (-c.people, -c.runs, c.profile.email),
    )
    return Flow(edges, connectors, *_layout(connectors, edges))


def _layout(
    connectors: list[Connector], edges: list[Edge], size: int = 520
) -> tuple[list[Node], list[tuple[Node, Node, float, int]]]:
    """A circle: the most connected people, evenly spaced; line width grows with log(runs)."""
    kept = connectors[:MAX_NODES]
    centre, radius = size / 2, size / 2 - 60
    nodes: dict[int, Node] = {}
    for i, c in enumerate(sorted(kept, key=lambda c: c.profile.email)):
        angle = 2 * math.pi * i / max(1, len(kept)) - math.pi / 2
        nodes[c.profile.user_id] = Node(
            c.profile,
            round(centre + radius * math.cos(angle), 1),
            round(centre + radius * math.sin(angle), 1),
            round(5 + 2 * math.sqrt(c.people), 1),
        )
    lines = [
        (
            nodes[e.author.user_id],
            nodes[e.user.user_id],
            round(1 + math.log1p(e.runs), 1),
            e.runs,
        )
        for e in edges
        if e.author.user_id in nodes and e.user.user_id in nodes
    ]
    return list(nodes.values()), lines
