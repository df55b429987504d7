"""The demo organisation ``acme``: loaded idempotently by ``huddle demo`` and ``make run``.

Each app adds its own demo content here as it lands; running the loader twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from huddle.accounts import services
from huddle.accounts.models import Membership, Organization, Role, Team, User
from huddle.capture import demo as capture_demo
from huddle.context.demo import load_context_demo
from huddle.library import demo as library_demo
from huddle.rituals import demo as rituals_demo
from huddle.runs import demo as runs_demo

DEMO_PASSWORD = "huddle-demo-2026"  # noqa: S105 - printed on purpose: this is the demo login

DEMO_PEOPLE: list[tuple[str, str, Role, list[str]]] = [
    ("olivia@acme.test", "Olivia Owner", Role.OWNER, ["Content"]),
    ("adam@acme.test", "Adam Admin", Role.ADMIN, ["Performance"]),
    ("erin@acme.test", "Erin Editor", Role.EDITOR, ["Content"]),
    ("eli@acme.test", "Eli Editor", Role.EDITOR, ["Social"]),
    ("maya@acme.test", "Maya Member", Role.MEMBER, ["Content"]),
    ("max@acme.test", "Max Member", Role.MEMBER, ["Social"]),
    ("mia@acme.test", "Mia Member", Role.MEMBER, ["Performance"]),
    ("victor@acme.test", "Victor Viewer", Role.VIEWER, []),
]
DEMO_TEAMS = [
    ("Content", "Blog posts, newsletters, long-form."),
    ("Social", "Organic and paid social."),
    ("Performance", "Search, paid media and reporting."),
]


@dataclass(frozen=True)
class DemoLogin:
    organization: Organization
    owner_email: str
    password: str


@transaction.atomic
def load_demo() -> DemoLogin:
    acme = _organization("acme", "Acme Marketing")
    # A second organisation, so switching between organisations can be tried.
    globex = _organization("globex", "Globex Agency")
    teams = {name: _team(acme, name, description) for name, description in DEMO_TEAMS}
    for email, name, role, team_names in DEMO_PEOPLE:
        user = User.objects.filter(email=email).first() or services.user_create(
            email=email, password=DEMO_PASSWORD, name=name
        )
        membership = Membership.objects.filter(organization=acme, user=user).first()
        if membership is None:
            membership = services.membership_add(
                actor=None, organization=acme, user=user, role=role
            )
            membership.teams.add(*(teams[t] for t in team_names))
    owner = User.objects.get(email=DEMO_PEOPLE[0][0])
    load_context_demo(acme, owner)
    if not Membership.objects.filter(organization=globex, user=owner).exists():
        services.membership_add(actor=None, organization=globex, user=owner, role=Role.OWNER)
    library_demo.load(acme)
    runs_demo.load(acme)
    capture_demo.load(acme)
    rituals_demo.load(acme)
    return DemoLogin(organization=acme, owner_email=owner.email, password=DEMO_PASSWORD)


def _organization(slug: str, name: str) -> Organization:
    existing = Organization.objects.filter(slug=slug).first()
    return existing or services.organization_create(creator=None, slug=slug, name=name)


def _team(organization: Organization, name: str, description: str) -> Team:
    existing = Team.objects.filter(organization=organization, name=name).first()
    return existing or services.team_create(
        actor=None, organization=organization, name=name, description=description
    )
