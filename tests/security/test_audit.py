"""The audit trail: mutating services write an ``Event`` (one or more per app), and nothing in the
app edits or deletes one (no route, no code path)."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client
from django.urls import reverse

from huddle.accounts import services as accounts
from huddle.accounts.models import ApiToken, Invitation, Membership
from huddle.capture import services as capture
from huddle.context import services as context
from huddle.core.models import Event
from huddle.library import services as library
from huddle.rituals import services as rituals
from huddle.rituals.models import Win
from huddle.runs.providers import services as providers
from huddle.runs.providers.models import ProviderConfig
from tests.factories import PASSWORD
from tests.security.figures import record
from tests.security.routes import api_operations, page_routes
from tests.security.seed import seed_org

HUDDLE = Path(__file__).resolve().parents[2] / "huddle"


def _mutations(world) -> list[tuple[str, object]]:
    owner, member, viewer = (world.people[r] for r in ("owner", "member", "viewer"))
    objects = world.objects
    return [
        (
            "accounts.organization_rename",
            lambda: accounts.organization_rename(actor=owner.actor, name="Renamed"),
        ),
        (
            "accounts.membership_set_role",
            lambda: accounts.membership_set_role(
                actor=owner.actor, membership=viewer.membership, role="member"
            ),
        ),
        (
            "accounts.team_create",
            lambda: accounts.team_create(actor=owner.actor, organization=world.org, name="Another"),
        ),
        (
            "accounts.token_revoke",
            lambda: accounts.token_revoke(
                actor=member.actor, token=ApiToken.objects.get(public_id=world.ids["token"])
            ),
        ),
        (
            "accounts.invitation_revoke",
            lambda: accounts.invitation_revoke(
                actor=owner.actor,
                invitation=Invitation.objects.get(public_id=world.ids["invitation"]),
            ),
        ),
        (
            "library.workflow_star",
            lambda: library.workflow_star(actor=member.actor, workflow=objects["workflow"]),
        ),
        (
            "library.workflow_archive",
            lambda: library.workflow_archive(
                actor=world.people["editor"].actor, workflow=objects["workflow"]
            ),
        ),
        (
            "context.asset_archive",
            lambda: context.asset_archive(
                actor=world.people["editor"].actor, asset=objects["asset"]
            ),
        ),
        (
            "capture.capture_share",
            lambda: capture.capture_share(
                actor=member.actor, capture=objects["capture"], visibility="private"
            ),
        ),
        (
            "runs.provider_delete",
            lambda: providers.provider_delete(
                actor=owner.actor,
                config=ProviderConfig.objects.get(public_id=world.ids["provider"]),
            ),
        ),
        (
            "rituals.win_vote",
            lambda: rituals.win_vote(
                actor=viewer.actor, win=Win.objects.get(public_id=world.ids["win"])
            ),
        ),
        ("rituals.ask_create", lambda: rituals.ask_create(actor=viewer.actor, text="How?")),
        (
            "accounts.membership_remove",
            lambda: accounts.membership_remove(
                actor=owner.actor, membership=Membership.objects.get(pk=member.membership.pk)
            ),
        ),
    ]


def test_every_mutating_service_writes_an_event(db):
    world = seed_org("audit")
    silent = []
    mutations = _mutations(world)
    for name, call in mutations:
        before = Event.objects.filter(organization=world.org).count()
        call()
        if Event.objects.filter(organization=world.org).count() <= before:
            silent.append(name)
    assert not silent, f"no Event written by: {silent}"
    record("audit", services=len(mutations))


def test_no_route_edits_or_deletes_events(db):
    world = seed_org("audit")
    assert not [r.name for r in page_routes() if "event" in r.pattern.lower()]
    assert not [op for op in api_operations() if "event" in op.path.lower()]
    # The audit page (activity) only reads: whatever is sent to it, the events stay as they are.
    client = Client()
    assert client.login(username=world.people["owner"].user.email, password=PASSWORD)
    url = reverse("activity", args=[world.org.slug])
    before = list(Event.objects.order_by("pk").values_list())
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url, {"kind": "x", "id": "1"}).status_code == 405
    assert list(Event.objects.order_by("pk").values_list()) == before


def test_no_code_path_updates_or_deletes_events():
    # Events leave only with their organisation (ON DELETE CASCADE), never one by one.
    writes = re.compile(r"Event\.objects[^\n]*\.(update|delete|bulk_update)\(|event\.save\(")
    offenders = [
        f"{path.relative_to(HUDDLE)}:{n}"
        for path in HUDDLE.rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if writes.search(line)
    ]
    assert not offenders, offenders
