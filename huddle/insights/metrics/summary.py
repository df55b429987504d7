"""The insights overview in one plain sentence, built from the report's own figures.

Analysts read "4 of 12 people do 70% of the AI work; 3 workflows only their author uses" before
any Gini or Lorenz curve; those stay on the page, behind "How this is computed".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from huddle.core.numbers import hours_text, plural

# The few who do "most" of the work: the smallest group of people whose runs reach this share.
MOST = 0.5


def window_text(as_of: date, weeks: int) -> str:
    """Which period a figure covers: "the 8 weeks to 4 Oct 2026" (``as_of`` included)."""
    return f"the {plural(weeks, 'week')} to {as_of.day} {as_of:%b %Y}"


def concentration(runs: Sequence[int]) -> tuple[int, float]:
    """``(k, share)``: the fewest people whose runs make at least half of all runs, and the
    share of runs they make. ``(0, 0.0)`` when nobody ran anything."""
    total = sum(runs)
    if total <= 0:
        return 0, 0.0
    done = 0
    for k, count in enumerate(sorted(runs, reverse=True), start=1):
        done += count
        if done >= MOST * total:
            return k, done / total
    return len(runs), 1.0  # unreachable: the loop reaches the whole total


def summary(
    *, runs: Sequence[int], solo_workflows: int | None, minutes_saved: float, period: str
) -> str:
    """One sentence for people: who does the AI work, how much know-how stays with its author,
    the time saved. ``runs`` holds each member's run count (zeros for those who ran nothing);
    ``solo_workflows`` counts workflows used by their author alone (``None``: not computed);
    ``period`` names the window ("the 8 weeks to 4 Oct 2026")."""
    members = len(runs)
    if members == 0:
        return f"Nobody is here yet: no members in {period}."
    people = plural(members, "person", "people")
    k, share = concentration(runs)
    if k == 0:
        return f"None of the {people} here recorded an AI run in {period}."
    if members == 1:
        parts = ["1 person does all the AI work"]
    else:
        verb = "does" if k == 1 else "do"
        parts = [f"{k:,} of {people} {verb} {round(share * 100)}% of the AI work"]
    idle = sum(1 for r in runs if r <= 0)
    if idle:
        parts.append(f"{idle:,} {'has' if idle == 1 else 'have'} not used AI")
    if solo_workflows:
        whose = "its" if solo_workflows == 1 else "their"
        parts.append(f"{plural(solo_workflows, 'workflow')} only {whose} author uses")
    text = "; ".join(parts)
    return f"{text}. About {hours_text(max(0.0, minutes_saved))} saved in {period}."
