"""Demo ritual for ``acme``: four weeks of wins (three decided, this one open), votes, asks
(some anonymous, some solved, some answered) and last week's sent digest. Idempotent."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from huddle.accounts.models import Membership, Organization, User, Visibility
from huddle.accounts.policy import Actor
from huddle.library.models import Status, Workflow
from huddle.rituals import services, weeks
from huddle.rituals.digest import digest_draft
from huddle.rituals.models import Ask, AskStatus, DigestStatus, Vote, Win

# (nominator, workflow slug, story)
STORIES = [
    ("adam@acme.test", "monthly-performance-report",
     "Cut the monthly performance report from 6 h to 40 min"),
    ("erin@acme.test", "linkedin-launch-post", "A week of LinkedIn posts drafted in one sitting"),
    ("eli@acme.test", "seo-blog-outline", "Four SEO outlines before lunch, all on-brief"),
    ("maya@acme.test", "persona-interview-summary",
     "Five customer interviews turned into a persona in an hour"),
    ("olivia@acme.test", "campaign-brief", "The Q4 campaign brief signed off on the first draft"),
]  # fmt: skip
VOTERS = [
    "olivia@acme.test",
    "maya@acme.test",
    "max@acme.test",
    "mia@acme.test",
    "victor@acme.test",
]
# (asker, question, anonymous, solved)
ASKS = [
    (
        "max@acme.test",
        "Is there a workflow for a blog post from a webinar transcript?",
        True,
        False,
    ),
    ("mia@acme.test", "How do I get ChatGPT to stop writing like a press release?", True, True),
    ("maya@acme.test", "Any prompt for summarising campaign results for the CMO?", False, True),
    ("victor@acme.test", "Is there a workflow for social posts in our brand voice?", False, False),
]


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def load(organization: Organization) -> int:
    """Create the demo ritual unless the organisation already has wins; return wins created."""
    if Win.objects.filter(organization=organization).exists():
        return 0
    shared = list(
        Workflow.objects.filter(organization=organization, visibility=Visibility.ORG)
        .exclude(status=Status.ARCHIVED)
        .order_by("slug")
    )
    if not shared:
        return 0
    now_week = services.week_now(organization)
    created = 0
    for back in range(3, -1, -1):
        week = weeks.shift(now_week, -back)
        wins = []
        by_slug = {w.slug: w for w in shared}
        rotated = STORIES[back % len(STORIES) :] + STORIES[: back % len(STORIES)]
        for i, (email, slug, story) in enumerate(rotated[:3]):
            workflow = by_slug.get(slug) or shared[(back + i) % len(shared)]
            if Win.objects.filter(organization=organization, iso_week=week, workflow=workflow):
                continue
            wins.append(
                Win.objects.create(
                    organization=organization,
                    iso_week=week,
                    workflow=workflow,
                    nominated_by=_user(email),
                    story=story,
                )
            )
            created += 1
        for j, email in enumerate(VOTERS[: 5 - back]):
            voter = _user(email)
            if voter is None or not wins:
                continue
            win = wins[(j + back) % len(wins)] if j else wins[0]
            Vote.objects.create(win=win, organization=organization, iso_week=week, voter=voter)
            Win.objects.filter(pk=win.pk).update(vote_count=F("vote_count") + 1)
        if back:
            services.week_close(organization, week)
    services.wins_suggest(organization, now_week)
    for email, text, anonymous, solved in ASKS:
        membership = (
            Membership.objects.select_related("user", "organization")
            .filter(organization=organization, user__email=email)
            .first()
        )
        if membership is None:
            continue
        ask, _token = services.ask_create(actor=Actor(membership), text=text, anonymous=anonymous)
        if solved:
            Ask.objects.filter(pk=ask.pk).update(status=AskStatus.SOLVED, solved_at=timezone.now())
    answerer = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=organization, user__email="erin@acme.test")
        .first()
    )
    first = Ask.objects.filter(organization=organization, status=AskStatus.SOLVED).first()
    if answerer is not None and first is not None:
        services.ask_answer(
            actor=Actor(answerer),
            ask=first,
            workflow=shared[0],
            text="This one works for me; add the brand voice context.",
        )
    last_week = digest_draft(organization, weeks.shift(now_week, -1))
    last_week.status = DigestStatus.SENT
    last_week.sent_at = timezone.now()
    last_week.save(update_fields=["status", "sent_at"])
    return created
