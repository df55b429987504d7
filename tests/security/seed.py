"""Two organisations with one object of every kind each, built through the services.

``seed_org("a")`` returns a ``World``: personas per role, a removed member, and the public ids of
everything, so the matrix can point at them. ``text`` is put into every user-text field (the
canary of organisation B, or an XSS payload).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from huddle.accounts import services as accounts
from huddle.accounts.models import Organization, Role, Team
from huddle.accounts.policy import Actor
from huddle.capture.importers.models import ImportJob, MiningJob, Pattern
from huddle.context import pack_services as context_packs
from huddle.context import services as context
from huddle.context.models import UploadJob
from huddle.core.errors import ValidationFailed
from huddle.library import services as library
from huddle.rituals import services as rituals
from huddle.rituals.digest import digest_draft
from huddle.rituals.models import Delivery
from huddle.runs import services as runs
from huddle.runs.providers import services as providers
from huddle.runs.services import Figures, StepRecord
from huddle.sso import services as sso
from huddle.sso.models import SsoDomain
from huddle.usage.models import UsageImport
from tests.capture.helpers import make_capture
from tests.conftest import Persona
from tests.factories import PASSWORD, MembershipFactory, UserFactory, make_workflow

ROLES = [Role.OWNER, Role.ADMIN, Role.EDITOR, Role.MEMBER, Role.VIEWER]


@dataclass
class World:
    org: Organization
    people: dict[str, Persona]
    removed: Any  # a User who was a member and was removed
    team: Team
    ids: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)


def seed_org(slug: str, *, text: str = "") -> World:
    """An organisation ``slug`` with a member per role, and one object of every kind."""
    t = f" {text}" if text else ""
    org = accounts.organization_create(creator=None, slug=slug, name=f"Org {slug}{t}")
    people: dict[str, Persona] = {}
    for role in ROLES:
        user = UserFactory(email=f"{role.value}@{slug}.test", name=f"{role.label} {slug}{t}")
        people[role.value] = Persona(
            user, MembershipFactory(organization=org, user=user, role=role)
        )
    owner, editor, member = people["owner"], people["editor"], people["member"]
    team = accounts.team_create(
        actor=owner.actor, organization=org, name=f"Team {slug}{t}", description=f"About{t}"
    )
    accounts.team_set_members(
        actor=owner.actor, team=team, memberships=[editor.membership, member.membership]
    )
    gone = UserFactory(email=f"gone@{slug}.test", name=f"Gone {slug}")
    gone_membership = MembershipFactory(organization=org, user=gone, role=Role.EDITOR)
    _gone_token, gone_raw = accounts.token_create(actor=Actor(gone_membership), name="old")
    accounts.membership_remove(actor=owner.actor, membership=gone_membership)

    asset = context.asset_create(
        actor=editor.actor,
        organization=org,
        kind="other",
        slug=f"voice_{slug.replace('-', '_')}",
        title=f"Brand voice{t}",
        data={"text": f"Our voice is plain.{t}"},
    )
    pack = context_packs.pack_create(
        actor=editor.actor,
        organization=org,
        name=f"Pack{t}",
        assets=[asset],
        description=f"Pack{t}",
    )
    try:
        workflow = make_workflow(
            editor,
            title=f"Launch post {slug}{t}",
            steps=[f"Write about {{{{ product }}}}.{t}"],
            summary=f"Summary{t}",
        )
    except ValidationFailed:
        # Template syntax in ``text`` the sandbox refuses: the text stays out of the template.
        workflow = make_workflow(
            editor,
            title=f"Launch post {slug}{t}",
            steps=["Write about {{ product }}."],
            summary=f"Summary{t}",
        )
    workflow = library.workflow_publish(actor=editor.actor, workflow=workflow, visibility="org")
    private = make_workflow(member, title=f"Private notes {slug}{t}")
    run = runs.run_record(
        actor=member.actor,
        workflow=workflow,
        version=None,
        inputs={"product": f"Widget{t}"},
        steps=[StepRecord(name="s", prompt=f"prompt{t}", output=f"output{t}")],
        final_text=f"final{t}",
        figures=Figures(minutes_spent=10, baseline_minutes=60, rating=4),
    )
    capture = make_capture(member, title=f"Capture{t}", goal=f"Goal{t}", visibility="org")
    provider = providers.provider_create(
        actor=owner.actor,
        fields=providers.ProviderFields(
            name=f"Provider{t}",
            kind="openai_compatible",
            base_url="https://api.openai.com/v1",
            model="gpt-4o-mini",
        ),
        api_key="sk-secret-" + slug,
    )
    token, raw = accounts.token_create(actor=member.actor, name=f"Token{t}")
    oauth_token = _oauth_token(member.user, org)
    invitation, _url = accounts.invitation_create(
        actor=owner.actor, organization=org, email=f"new@{slug}.test", role="member"
    )
    win = rituals.win_nominate(actor=member.actor, story=f"Great{t}", workflow=workflow)
    ask, ask_token = rituals.ask_create(actor=member.actor, text=f"How do I?{t}")
    week = rituals.week_now(org)
    digest = digest_draft(org, week)
    delivery = Delivery.objects.create(digest=digest, channel="email", target=f"x@{slug}.test")
    job = ImportJob.objects.create(organization=org, owner=member.user, source="chatgpt")
    mining = MiningJob.objects.create(organization=org, owner=member.user)
    usage_import = UsageImport.objects.create(
        organization=org, created_by=owner.user, source="generic", file_name=f"usage{t}.csv"
    )
    upload_job = UploadJob.objects.create(
        organization=org, owner=member.user, action="create", kind="other", file_name="notes.md"
    )
    pattern = Pattern.objects.create(
        organization=org,
        owner=member.user,
        signature="sig",
        title=f"Pattern{t}",
        template=f"Write {{{{ topic }}}}{t}",
        variables=[{"name": "topic"}],
        size=3,
    )
    scim_token, scim_raw = sso.scim_token_create(actor=owner.actor)
    scim_user = sso.scim_user_create(
        organization=org,
        person=sso.Person(user_name=f"sam@{slug}.test", email=f"sam@{slug}.test", name=f"Sam{t}"),
    )
    scim_group = sso.scim_group_create(
        organization=org, display_name=f"Group {slug}{t}", members=[scim_user]
    )
    sso_domain = SsoDomain.objects.create(organization=org, domain=f"{slug}-corp.com")
    ids = {
        "workflow": workflow.public_id,
        "workflow_slug": workflow.slug,
        "private_slug": private.slug,
        "asset": asset.public_id,
        "asset_slug": asset.slug,
        "pack": pack.public_id,
        "run": run.public_id,
        "capture": capture.public_id,
        "provider": provider.public_id,
        "token": token.public_id,
        "oauth_token": oauth_token.pk,
        "invitation": invitation.public_id,
        "member": member.membership.public_id,
        "team": team.public_id,
        "win": win.public_id,
        "ask": ask.public_id,
        "ask_token": ask_token,
        "week": week,
        "delivery": delivery.pk,
        "job": job.public_id,
        "mining": mining.public_id,
        "usage_import": usage_import.public_id,
        "upload_job": upload_job.public_id,
        "pattern": pattern.public_id,
        "raw_token": raw,
        "gone_raw_token": gone_raw,
        "scim_token": scim_token.public_id,
        "scim_raw_token": scim_raw,
        "scim_user": scim_user.public_id,
        "scim_group": scim_group.public_id,
        "sso_domain": sso_domain.public_id,
    }
    objects = {"workflow": workflow, "asset": asset, "run": run, "capture": capture, "ask": ask}
    return World(org, people, gone, team, ids, objects)


__all__ = ["PASSWORD", "World", "seed_org"]


def _oauth_token(user: Any, org: Organization) -> Any:
    """A connected app's live OAuth token of ``user`` in ``org`` (huddle/accounts/oauth.py)."""
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application

    from huddle.accounts.oauth import SCOPE, organization_scope

    app = Application.objects.create(
        name=f"Assistant of {org.slug}",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://chatgpt.com/connector_platform_oauth_redirect",
    )
    return AccessToken.objects.create(
        user=user,
        application=app,
        token=f"oauth-{org.slug}-secret",
        scope=f"{SCOPE} {organization_scope(org.public_id)}",
        expires=timezone.now() + timedelta(hours=1),
    )
