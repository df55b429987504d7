"""Write a benchmark organisation straight into the configured database, fast (bulk inserts).

    python -m bench.generate --members 2000 --workflows 100000 --runs 1000000 --weeks 52

Deterministic for a given ``--seed``. Replaces an existing organisation of the same slug.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

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
    parser.add_argument(
        "--mix",
        choices=["realistic", "uniform"],
        default="realistic",
        help="how members pick workflows (see _runs)",
    )
    args = parser.parse_args()
    setup_django()
    started = time.perf_counter()
    generate(args.org, args.members, args.workflows, args.runs, args.weeks, args.seed, mix=args.mix)
    print(f"generated in {time.perf_counter() - started:.1f} s")


def generate(
    slug: str,
    members: int,
    workflows: int,
    runs: int,
    weeks: int,
    seed: int,
    *,
    mix: str = "realistic",
) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from rich.progress import Progress

    from huddle.accounts.models import Membership, Organization, Role, Team, User
    from huddle.library.models import (
        Workflow,
        WorkflowLabel,
        WorkflowSearch,
        WorkflowTag,
        WorkflowVersion,
    )

    rng = random.Random(seed)
    drop_runs(slug)
    Organization.objects.filter(slug=slug).delete()
    User.objects.filter(email__endswith=f"@{slug}.bench").delete()
    password = make_password("bench-password-not-secret")
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
        member_teams = [rng.choice(teams).pk for _ in memberships]
        through.objects.bulk_create(
            [
                through(membership_id=m.pk, team_id=t)
                for m, t in zip(memberships, member_teams, strict=True)
            ]
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
        _runs(
            organization,
            users=[(u.pk, m.pk) for u, m in zip(users, memberships, strict=True)],
            teams={m.pk: t for m, t in zip(memberships, member_teams, strict=True)},
            runs=runs,
            weeks=weeks,
            mix=mix,
            rng=rng,
            advance=lambda n: progress.advance(task, n),
        )
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "sqlite":
            cursor.execute(
                "INSERT INTO library_workflow_fts(library_workflow_fts) VALUES('optimize')"
            )


def drop_runs(slug: str) -> None:
    """Delete a previous benchmark organisation's runs (and what hangs off them) in a few
    statements. The ORM would load every run to send its delete signal: at a million runs that
    took minutes and gigabytes before the organisation itself could go."""
    from django.db import connection

    from huddle.brand.models import RunBrandCheck
    from huddle.rituals.models import Win
    from huddle.runs.models import Run, RunStep

    runs = (
        f"SELECT r.id FROM {Run._meta.db_table} r JOIN accounts_organization o"  # noqa: S608
        " ON o.id = r.organization_id WHERE o.slug = %s"
    )
    with connection.cursor() as cursor:
        for model in (RunStep, RunBrandCheck, Win):
            cursor.execute(
                f"DELETE FROM {model._meta.db_table} WHERE run_id IN ({runs})",  # noqa: S608
                [slug],
            )
        cursor.execute(f"DELETE FROM {Run._meta.db_table} WHERE id IN ({runs})", [slug])  # noqa: S608


TIERS = ((0.1, 30, 30), (0.5, 3, 10), (1.0, 1, 3))  # (members up to, activity weight, repertoire)
ADHOC = 0.1  # share of runs with no library workflow (a prompt typed from scratch)


def _runs(
    organization: Any,
    *,
    users: list[tuple[int, int]],
    teams: dict[int, int],
    runs: int,
    weeks: int,
    mix: str,
    rng: random.Random,
    advance: Callable[[int], None],
) -> None:
    """Runs over ``weeks`` weeks, each of a workflow its member may open (or ad hoc).

    Activity is skewed as in real teams: a tenth of the members run 30x as often as the last
    half, the next two fifths 3x. ``realistic``: each member keeps a repertoire (30, 10 or 3
    workflows by activity tier, plus the workflows they wrote) drawn from the workflows they may
    open with Zipf popularity, and runs their favourites most. ``uniform``: every run picks any
    workflow its member may open, which gives the roll-up nothing to compress (the worst case).
    """
    from django.utils import timezone

    from bench.common import fast_insert
    from huddle.library.models import Workflow
    from huddle.runs.models import Run

    everyone: list[int] = []
    by_team: dict[int, list[int]] = {}
    own: dict[int, list[int]] = {}
    for pk, owner_id, team_id, visibility in Workflow.objects.filter(
        organization=organization
    ).values_list("id", "owner_id", "team_id", "visibility"):
        own.setdefault(owner_id, []).append(pk)
        if visibility == "org":
            everyone.append(pk)
        elif visibility == "team":
            by_team.setdefault(team_id, []).append(pk)
    rng.shuffle(everyone)  # popularity rank
    popular = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(everyone))))
    count = len(users)
    tier = [next(t for t in TIERS if i < max(1, t[0] * count)) for i in range(count)]
    weights = [t[1] for t in tier]
    repertoires: dict[int, tuple[list[int], list[float] | None]] = {}

    def repertoire(i: int) -> tuple[list[int], list[float] | None]:
        if i not in repertoires:
            user_id, membership_id = users[i]
            team = by_team.get(teams[membership_id], [])
            if mix == "uniform":
                repertoires[i] = (everyone + team + own.get(user_id, []), None)
            else:
                size = tier[i][2]
                picks = rng.choices(everyone, cum_weights=popular, k=size) if everyone else []
                picks += rng.sample(team, min(len(team), max(1, size // 5)))
                picks = list(dict.fromkeys(own.get(user_id, [])[:size] + picks))
                rng.shuffle(picks)  # favourites first
                repertoires[i] = (
                    picks,
                    list(itertools.accumulate(1 / (k + 1) for k in range(len(picks)))),
                )
        return repertoires[i]

    now = timezone.now()
    span = weeks * 7 * 24 * 60
    columns = [
        "public_id", "created_at", "organization_id", "user_id", "workflow_id", "mode", "status",
        "output", "final_text", "edit_ratio", "minutes_spent", "baseline_minutes", "rating",
        "started_at",
    ]  # fmt: skip
    for start in range(0, runs, BATCH):
        size = min(BATCH, runs - start)
        rows = []
        for i in rng.choices(range(count), weights, k=size):
            picks, cum = repertoire(i)
            workflow_id = None
            if picks and rng.random() >= ADHOC:
                workflow_id = rng.choices(picks, cum_weights=cum)[0]
            baseline = rng.choice([20, 30, 45, 60, 90, 120, 240])
            started = now - timedelta(minutes=rng.randint(0, span))
            rows.append(
                (
                    uuid.uuid4(),  # random: unique across the organisations of one database
                    started,
                    organization.pk,
                    users[i][0],
                    workflow_id,
                    "manual",
                    "completed",
                    "draft",
                    "draft, edited",
                    round(rng.random() * 0.6, 3),
                    max(2, round(baseline * rng.uniform(0.1, 0.9))),
                    baseline,
                    rng.choice([None, 3, 4, 4, 5]),
                    started,
                )
            )
        fast_insert(Run, columns, rows)
        advance(size)


if __name__ == "__main__":
    main()
