"""Write a benchmark organisation straight into the configured database, fast (bulk inserts).

    python -m bench.generate --members 2000 --workflows 100000 --runs 1000000 --weeks 52

Deterministic for a given ``--seed``. Replaces an existing organisation of the same slug.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import timedelta

from bench.common import setup_django

TOPICS = [
    "launch", "webinar", "newsletter", "seo", "search ads", "persona", "monthly report",
    "case study", "press release", "social post", "nurture email", "landing page", "event recap",
    "product update", "customer story", "competitor analysis", "brand voice", "blog outline",
    "podcast notes", "sales deck", "onboarding email", "survey summary", "ad variants",
    "video script", "pricing page", "churn email", "referral campaign", "partner pitch",
]  # fmt: skip
FORMATS = ["draft", "outline", "checklist", "rewrite", "summary", "ideas", "brief", "plan"]
AUDIENCES = ["CFOs", "marketers", "founders", "developers", "HR leaders", "ops managers"]
CHANNELS = ["LinkedIn", "email", "blog", "X", "Instagram", "Google Ads", "YouTube"]
BATCH = 5_000
TEMPLATE = (
    "Write a {fmt} of a {topic} for {{{{ audience }}}} on {channel}. "
    "Keep it under {{{{ words }}}} words and mention {{{{ product }}}}."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="bench")
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--workflows", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup_django()
    started = time.perf_counter()
    generate(args.org, args.members, args.workflows, args.runs, args.weeks, args.seed)
    print(f"generated in {time.perf_counter() - started:.1f} s")


def generate(slug: str, members: int, workflows: int, runs: int, weeks: int, seed: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone
    from rich.progress import Progress

    from huddle.accounts.models import Membership, Organization, Role, Team, User
    from huddle.library.models import (
        Workflow,
        WorkflowLabel,
        WorkflowSearch,
        WorkflowTag,
        WorkflowVersion,
    )
    from huddle.runs.models import Run

    rng = random.Random(seed)
    Organization.objects.filter(slug=slug).delete()
    User.objects.filter(email__endswith=f"@{slug}.bench").delete()
    password = make_password("bench-password-not-secret")
    now = timezone.now()
    with Progress() as progress, transaction.atomic():
        organization = Organization.objects.create(slug=slug, name=f"Benchmark {slug}")
        teams = Team.objects.bulk_create(
            [Team(organization=organization, slug=f"team-{i}", name=f"Team {i}") for i in range(20)]
        )
        task = progress.add_task("members", total=members)
        users = []
        for start in range(0, members, BATCH):
            chunk = [
                User(email=f"m{i}@{slug}.bench", name=f"Member {i}", password=password)
                for i in range(start, min(members, start + BATCH))
            ]
            users += User.objects.bulk_create(chunk)
            progress.advance(task, len(chunk))
        roles = [Role.OWNER] + [
            rng.choice([Role.MEMBER] * 6 + [Role.EDITOR, Role.VIEWER]) for _ in users[1:]
        ]
        memberships = Membership.objects.bulk_create(
            [
                Membership(organization=organization, user=u, role=r)
                for u, r in zip(users, roles, strict=True)
            ]
        )
        through = Membership.teams.through
        through.objects.bulk_create(
            [through(membership_id=m.pk, team_id=rng.choice(teams).pk) for m in memberships]
        )
        # A few heavy authors write most workflows, as in real teams.
        authors = users[: max(1, members // 10)]
        task = progress.add_task("workflows", total=workflows)
        workflow_ids: list[int] = []
        for start in range(0, workflows, BATCH):
            size = min(BATCH, workflows - start)
            rows, texts = [], []
            for i in range(start, start + size):
                topic, fmt = rng.choice(TOPICS), rng.choice(FORMATS)
                audience, channel = rng.choice(AUDIENCES), rng.choice(CHANNELS)
                title = f"{topic.capitalize()} {fmt} for {audience} #{i}"
                visibility = rng.choices(["org", "team", "private"], [5, 2, 3])[0]
                rows.append(
                    Workflow(
                        organization=organization,
                        slug=f"wf-{i}",
                        title=title,
                        summary=f"A {fmt} of a {topic} for {audience} on {channel}.",
                        kind=rng.choices(["prompt", "chain", "instructions"], [8, 2, 1])[0],
                        owner=rng.choice(authors),
                        team=rng.choice(teams) if visibility == "team" else None,
                        visibility=visibility,
                        status="draft" if visibility == "private" else "shared",
                        use_count=0,
                        star_count=rng.randint(0, 20),
                    )
                )
                texts.append((topic, fmt, audience, channel))
            created = Workflow.objects.bulk_create(rows)
            versions = WorkflowVersion.objects.bulk_create(
                [
                    WorkflowVersion(
                        workflow=w,
                        number=1,
                        steps=[
                            {
                                "name": "step_1",
                                "template": TEMPLATE.format(fmt=fmt, topic=topic, channel=channel),
                            }
                        ],
                        inputs=[
                            {
                                "name": "audience",
                                "label": "Audience",
                                "type": "text",
                                "default": audience,
                                "required": True,
                                "help": "",
                                "choices": [],
                            },
                            {
                                "name": "words",
                                "label": "",
                                "type": "number",
                                "default": "150",
                                "required": True,
                                "help": "",
                                "choices": [],
                            },
                            {
                                "name": "product",
                                "label": "",
                                "type": "text",
                                "default": "",
                                "required": True,
                                "help": "",
                                "choices": [],
                            },
                        ],
                        baseline_minutes=rng.choice([20, 30, 45, 60, 90, 120, 240]),
                        author=w.owner,
                    )
                    for w, (topic, fmt, audience, channel) in zip(created, texts, strict=True)
                ]
            )
            WorkflowLabel.objects.bulk_create(
                [
                    WorkflowLabel(workflow=w, name="latest", version=v)
                    for w, v in zip(created, versions, strict=True)
                ]
            )
            WorkflowTag.objects.bulk_create(
                [
                    WorkflowTag(workflow=w, organization=organization, name=t[0].replace(" ", "-"))
                    for w, t in zip(created, texts, strict=True)
                ]
            )
            WorkflowSearch.objects.bulk_create(
                [
                    WorkflowSearch(
                        workflow=w,
                        organization=organization,
                        title=w.title,
                        summary=w.summary,
                        tags=t[0].replace(" ", "-"),
                        body=v.steps[0]["template"],
                    )
                    for w, v, t in zip(created, versions, texts, strict=True)
                ]
            )
            workflow_ids += [w.pk for w in created]
            progress.advance(task, size)
        task = progress.add_task("runs", total=runs)
        # Activity is skewed: a tenth of the members produce most runs.
        weights = [
            30 if i < members // 10 else 3 if i < members // 2 else 1 for i in range(members)
        ]
        user_ids = [u.pk for u in users]
        for start in range(0, runs, BATCH):
            size = min(BATCH, runs - start)
            picked = rng.choices(user_ids, weights, k=size)
            rows = []
            for user_id in picked:
                baseline = rng.choice([20, 30, 45, 60, 90, 120, 240])
                spent = max(2, round(baseline * rng.uniform(0.1, 0.9)))
                rows.append(
                    Run(
                        public_id=uuid.uuid4(),
                        organization=organization,
                        user_id=user_id,
                        workflow_id=rng.choice(workflow_ids) if rng.random() < 0.9 else None,
                        mode="manual",
                        status="completed",
                        output="draft",
                        final_text="draft, edited",
                        edit_ratio=round(rng.random() * 0.6, 3),
                        minutes_spent=spent,
                        baseline_minutes=baseline,
                        rating=rng.choice([None, 3, 4, 4, 5]),
                        started_at=now - timedelta(minutes=rng.randint(0, weeks * 7 * 24 * 60)),
                    )
                )
            Run.objects.bulk_create(rows)
            progress.advance(task, size)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE library_workflow SET use_count = (SELECT COUNT(*) FROM runs_run"
                " WHERE runs_run.workflow_id = library_workflow.id)"
                " WHERE organization_id = %s",
                [organization.pk],
            )
    # Runs went in by bulk_create, which skips the signals that mark roll-up weeks stale.
    from huddle.insights import rollup

    rollup.invalidate(organization)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute(
                "INSERT INTO library_workflow_fts(library_workflow_fts) VALUES('optimize')"
            )


if __name__ == "__main__":
    main()
