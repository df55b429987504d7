"""Knowledge flow: who runs whose workflows (author → user, weighted by runs)."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass

from huddle.insights.metrics.profiles import Material, MemberProfile

MAX_NODES = 30  # the drawing keeps the most connected people
MAX_EDGES = 200  # author → user rows kept, strongest first (the page lists 50)


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
    links: int = 0  # author → user pairs in all (``edges`` keeps the strongest)
    size: int = 520


def flow(material: Material) -> Flow:
    profiles = {p.user_id: p for p in material.profiles}
    links = {pair: n for pair, n in material.links.items() if n}
    reached: dict[int, set[int]] = defaultdict(set)
    learned: dict[int, set[int]] = defaultdict(set)
    touching: dict[int, int] = defaultdict(int)
    for (a, u), n in links.items():
        reached[a].add(u)
        learned[u].add(a)
        touching[a] += n
        touching[u] += n
    connectors = sorted(
        (
            Connector(profiles[uid], len(reached[uid]), len(learned[uid]), touching[uid])
            for uid in touching
        ),
        key=lambda c: (-c.people, -c.runs, c.profile.email),
    )
    # Only the strongest links become rows (a big team has tens of thousands of them; the page
    # lists 50): the most runs first, then by the two people's emails.
    email = {uid: p.email for uid, p in profiles.items()}
    strongest = heapq.nsmallest(
        MAX_EDGES, ((-n, email[a], email[u], a, u) for (a, u), n in links.items())
    )
    edges = [Edge(profiles[a], profiles[u], -n) for n, _ae, _ue, a, u in strongest]
    nodes, lines = _layout(connectors, links, profiles)
    return Flow(edges, connectors, nodes, lines, links=len(links))


def _layout(
    connectors: list[Connector],
    links: dict[tuple[int, int], int],
    profiles: dict[int, MemberProfile],
    size: int = 520,
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
    drawn = sorted(
        (
            (-n, profiles[a].email, profiles[u].email, a, u)
            for (a, u), n in links.items()
            if a in nodes and u in nodes
        )
    )
    lines = [(nodes[a], nodes[u], round(1 + math.log1p(-n), 1), -n) for n, _ae, _ue, a, u in drawn]
    return list(nodes.values()), lines
