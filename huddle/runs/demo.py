"""Demo runs for ``acme``: twelve weeks shaped like a real team.

Two power users run workflows several times a week and save hours; a middle group tries now
and then and saves a little; a long tail barely starts. Deterministic (seeded), idempotent.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import Membership, Organization
from huddle.accounts.policy import Actor
from huddle.library.models import Workflow
from huddle.library.services import latest_version
from huddle.runs import services
from huddle.runs.models import Run
from huddle.runs.services import Figures, StepRecord

# email -> (runs per week at the start, at the end, how much time they save: 0..1)
PROFILES = {
    "erin@acme.test": (5, 13, 0.85),
    "adam@acme.test": (4, 12, 0.8),
    "eli@acme.test": (1.5, 4, 0.55),
    "olivia@acme.test": (1, 3, 0.5),
    "maya@acme.test": (2, 1.5, 0.3),
    "max@acme.test": (1, 0.3, 0.2),
    "mia@acme.test": (0.5, 0.2, 0.15),
}
WEEKS = 12
DRAFT = "Here is a first draft based on your notes. It covers the main points in a clear order."


def load(organization: Organization) -> int:
    """Create the demo runs that don't exist yet; return how many were created."""
    if Run.objects.filter(organization=organization, import_key__startswith="demo-").exists():
        return 0
    rng = random.Random(20261125)  # noqa: S311 - demo data, not security
    now = timezone.now()
    created = 0
    for email, (start, end, skill) in PROFILES.items():
        membership = (
            Membership.objects.select_related("user", "organization")
            .filter(organization=organization, user__email=email)
            .first()
        )
        if membership is None:
            continue
        actor = Actor(membership)
        workflows = list(Workflow.objects.filter(policy.visible_q(actor)).order_by("slug"))
        if not workflows:
            continue
        favourites = rng.sample(workflows, k=min(3, len(workflows)))
        for week in range(WEEKS):
            rate = start + (end - start) * week / (WEEKS - 1)
            count = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
            for _ in range(count):
                workflow = rng.choice(favourites if rng.random() < 0.7 else workflows)
                version = latest_version(workflow)
                baseline = version.baseline_minutes or rng.choice([30, 45, 60, 90])
                spent = max(3, round(baseline * (1 - skill) * rng.uniform(0.6, 1.3)))
                edits = rng.random() * (1 - skill)
                final = (
                    DRAFT
                    if edits < 0.1
                    else DRAFT.replace("first draft", "draft")[: int(len(DRAFT) * (1 - edits / 2))]
                    + " Edited by hand."
                )
                started = now - timedelta(weeks=WEEKS - week, hours=rng.randint(0, 24 * 6))
                services.run_record(
                    actor=actor,
                    workflow=workflow,
                    version=version,
                    inputs={},
                    steps=[StepRecord(name="step_1", prompt="(demo)", output=DRAFT)],
                    final_text=final,
                    figures=Figures(
                        minutes_spent=spent,
                        baseline_minutes=baseline,
                        rating=min(5, max(1, round(2 + 3 * skill + rng.uniform(-1, 1)))),
                    ),
                    started_at=started,
                    import_key=f"demo-{organization.pk}-{created}",
                )
                created += 1
    return created
