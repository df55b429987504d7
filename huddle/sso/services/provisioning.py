"""Every write of provisioning: the organisation's SCIM token, and the people and groups an
identity provider creates, changes, deactivates and deletes.

Keyword-only and transactional; each records an ``Event`` (``scim.*``) besides the events of the
``accounts`` services it calls (``member.added`` …). ``actor=None`` in those calls means "the
identity provider", whose rights come from the organisation's token.

Access follows the provider at once: an inactive or deleted person loses their membership (so
every page and their API tokens of this organisation stop working) and, when they belong to no
other organisation, every signed-in session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from huddle.accounts import policy
from huddle.accounts import services as accounts
from huddle.accounts.models import ROLE_RANK, Membership, Organization, Role, Team, User
from huddle.accounts.policy import Action, Actor
from huddle.accounts.tokens import hash_secret, stored_secret
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.services import System, event_record
from huddle.sso.models import (
    GROUP_ROLES,
    MemberAttributes,
    ScimGroup,
    ScimToken,
    ScimUser,
)
from huddle.sso.services.attributes import member_attributes_set
from huddle.sso.services.errors import Conflict
from huddle.sso.sessions import sessions_end

TOKEN_KIND = "scim"  # noqa: S105 - the prefix of generated tokens, not a secret


@dataclass(frozen=True)
class Person:
    """What the identity provider says about a person, as the services need it."""

    user_name: str
    email: str
    name: str = ""
    external_id: str = ""
    active: bool = True
    # Where the person sits (``MemberAttributes.FIELDS``): department, division, cost_center,
    # region; a field the provider did not send is "".
    attributes: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


# --- the token -------------------------------------------------------------------------------


@transaction.atomic
def scim_token_create(*, actor: Actor) -> tuple[ScimToken, str]:
    """A new SCIM token for the actor's organisation (owners only); any older one stops working.

    Returns the row and the raw token, which exists nowhere else: show it once.
    """
    policy.require(actor, Action.MANAGE_ORGANIZATION)
    now = timezone.now()
    ScimToken.objects.filter(organization=actor.organization, revoked_at=None).update(
        revoked_at=now
    )
    token, raw = stored_secret(
        ScimToken, TOKEN_KIND, organization=actor.organization, created_by=actor.user
    )
    event_record(actor, "scim.token_created", token)
    return token, raw


@transaction.atomic
def scim_token_revoke(*, actor: Actor, token: ScimToken) -> None:
    """Revoke the organisation's SCIM token (owners only): provisioning stops at once."""
    policy.require(actor, Action.MANAGE_ORGANIZATION)
    if token.organization_id != actor.organization.pk:
        raise NotFound()
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    event_record(actor, "scim.token_revoked", token)


def scim_token_authenticate(raw_token: str) -> ScimToken | None:
    """The live token behind a bearer value, or None. Writes its last-used time once a minute."""
    if not raw_token.startswith(f"{TOKEN_KIND}_") or len(raw_token) > 200:
        return None
    token = (
        ScimToken.objects.select_related("organization")
        .filter(token_hash=hash_secret(raw_token), revoked_at=None)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- people ----------------------------------------------------------------------------------


@transaction.atomic
def scim_user_create(*, organization: Organization, person: Person) -> ScimUser:
    """Provision a person: their account (made without a password when new) and membership.

    An existing account is linked only when it is already a member of this organisation (the
    rollout case: people invited before provisioning); any other existing account raises
    ``Conflict``, so a provider can never pull in someone of another organisation.
    """
    email = _email(person.email)
    _check_user_name_free(organization, person.user_name, exclude=None)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = accounts.user_create(email=email, password=None, name=person.name)
    elif not Membership.objects.filter(organization=organization, user=user).exists():
        raise Conflict(
            f"An account for {email} already exists outside this organisation; invite it, "
            "then provision it again."
        )
    elif ScimUser.objects.filter(organization=organization, user=user).exists():
        raise Conflict(f"{email} is already provisioned in this organisation.")
    scim_user = ScimUser.objects.create(
        organization=organization,
        user=user,
        user_name=person.user_name,
        external_id=person.external_id,
        active=person.active,
        data=person.data,
    )
    member_attributes_set(
        organization=organization, user=user, attributes=person.attributes, complete=True
    )
    event_record(
        System(organization), "scim.user_created", scim_user, label=email, active=person.active
    )
    _sync_access(scim_user)
    return scim_user


@transaction.atomic
def scim_user_update(*, scim_user: ScimUser, person: Person) -> ScimUser:
    """Apply what the provider now says. ``active=False`` removes the person's access at once.

    The account's own e-mail and name follow only when this organisation is the only one the
    account belongs to: a provider never renames someone in another organisation.
    """
    scim_user = ScimUser.objects.select_for_update().select_related("user").get(pk=scim_user.pk)
    _check_user_name_free(scim_user.organization, person.user_name, exclude=scim_user.pk)
    changed = [
        name
        for name, new in (
            ("userName", person.user_name),
            ("externalId", person.external_id),
            ("active", person.active),
        )
        if getattr(scim_user, _COLUMNS[name]) != new
    ]
    changed += member_attributes_set(
        organization=scim_user.organization,
        user=scim_user.user,
        attributes=person.attributes,
        complete=True,
    )
    if scim_user.data != person.data:
        changed.append("attributes")
    was_active = scim_user.active
    scim_user.user_name = person.user_name
    scim_user.external_id = person.external_id
    scim_user.active = person.active
    scim_user.data = person.data
    scim_user.save()
    _update_account(scim_user, person)
    kind = "scim.user_updated"
    if was_active and not person.active:
        kind = "scim.user_deactivated"
    elif person.active and not was_active:
        kind = "scim.user_reactivated"
    event_record(
        System(scim_user.organization), kind, scim_user, label=scim_user.user.email, changed=changed
    )
    _sync_access(scim_user)
    return scim_user


@transaction.atomic
def scim_user_delete(*, scim_user: ScimUser) -> None:
    """Deprovision: the membership goes (with its access), the account stays for other
    organisations, and the provider forgets the person."""
    scim_user.active = False
    _sync_access(scim_user)
    event_record(
        System(scim_user.organization), "scim.user_deleted", scim_user, label=scim_user.user.email
    )
    MemberAttributes.objects.filter(
        organization=scim_user.organization, user=scim_user.user
    ).delete()
    scim_user.delete()


_COLUMNS = {
    "userName": "user_name",
    "externalId": "external_id",
    "active": "active",
}


def _email(value: str) -> str:
    try:
        return accounts._clean_email(value)
    except ValidationFailed:
        raise ValidationFailed(
            "Huddle needs an e-mail address: send it as userName or as the primary email.",
            fields={"userName": ["Not an e-mail address."]},
        ) from None


def _check_user_name_free(organization: Organization, user_name: str, exclude: int | None) -> None:
    if not user_name.strip():
        raise ValidationFailed("userName is required.", fields={"userName": ["Required."]})
    taken = ScimUser.objects.filter(organization=organization, user_name__iexact=user_name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Conflict(f"The userName {user_name!r} is already provisioned.")


def _update_account(scim_user: ScimUser, person: Person) -> None:
    user = scim_user.user
    others = Membership.objects.filter(user=user).exclude(organization=scim_user.organization)
    if others.exists():
        return
    email = _email(person.email)
    fields = []
    if email != user.email:
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise Conflict(f"An account for {email} already exists.")
        user.email = email
        fields.append("email")
    if person.name and person.name != user.name:
        user.name = person.name[:150]
        fields.append("name")
    if fields:
        user.save(update_fields=fields)


def _sync_access(scim_user: ScimUser) -> None:
    """Make the membership what the provider says: present while active, with the highest role
    its groups grant (owners are never changed), on the teams of its groups."""
    organization = scim_user.organization
    user = scim_user.user
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if not scim_user.active:
        if membership is not None:
            accounts.membership_remove(actor=None, membership=membership)
        if not Membership.objects.filter(user=user).exists():
            sessions_end(user.pk)
        return
    groups = list(scim_user.groups.select_related("team")) if scim_user.pk else []
    granted = [Role(group.role) for group in groups if group.role]
    role = max(granted, key=ROLE_RANK.__getitem__) if granted else None
    if membership is None:
        membership = accounts.membership_add(
            actor=None, organization=organization, user=user, role=role or Role.MEMBER
        )
    elif role is not None and membership.role not in (Role.OWNER, role):
        membership = accounts.membership_set_role(actor=None, membership=membership, role=role)
    managed = set(
        Team.objects.filter(organization=organization, scim_group__isnull=False).values_list(
            "pk", flat=True
        )
    )
    current = set(membership.teams.values_list("pk", flat=True))
    wanted = (current - managed) | {group.team_id for group in groups}
    if wanted != current:
        membership.teams.set(wanted)


# --- groups ----------------------------------------------------------------------------------


@transaction.atomic
def scim_group_create(
    *,
    organization: Organization,
    display_name: str,
    external_id: str = "",
    members: list[ScimUser] | None = None,
) -> ScimGroup:
    """A provider group becomes a team: an existing team of the same name that no group holds
    yet is taken over (its other members stay), else a new team is made."""
    display_name = _group_name(display_name)
    team = (
        Team.objects.filter(organization=organization, slug=_slug(display_name))
        .exclude(scim_group__isnull=False)
        .first()
    )
    if team is None:
        team = Team.objects.create(
            organization=organization,
            name=display_name[:120],
            slug=_free_slug(organization, display_name),
        )
        event_record(System(organization), "team.created", team)
    group = ScimGroup.objects.create(
        organization=organization, team=team, display_name=display_name, external_id=external_id
    )
    event_record(System(organization), "scim.group_created", group, team=str(team.public_id))
    if members:
        _set_members(group, members)
    return group


@transaction.atomic
def scim_group_update(
    *,
    group: ScimGroup,
    display_name: str,
    external_id: str = "",
    members: list[ScimUser],
) -> ScimGroup:
    """Rename the group (and its team) and make its members exactly ``members``."""
    group = ScimGroup.objects.select_for_update().select_related("team").get(pk=group.pk)
    display_name = _group_name(display_name)
    renamed = display_name != group.display_name
    group.display_name = display_name
    group.external_id = external_id
    group.save()
    if renamed:
        group.team.name = display_name[:120]
        group.team.save(update_fields=["name"])
    added, removed = _set_members(group, members)
    event_record(
        System(group.organization),
        "scim.group_updated",
        group,
        renamed=renamed,
        added=added,
        removed=removed,
    )
    return group


@transaction.atomic
def scim_group_delete(*, group: ScimGroup) -> None:
    """Delete the group and its team; its members lose the team and any role it granted."""
    members = list(group.members.all())
    team = group.team
    event_record(System(group.organization), "scim.group_deleted", group, members=len(members))
    group.delete()
    event_record(System(team.organization), "team.deleted", team)
    team.delete()
    for scim_user in members:
        _sync_access(scim_user)


@transaction.atomic
def scim_group_set_role(*, actor: Actor, group: ScimGroup, role: str) -> ScimGroup:
    """Owners choose the role a group grants ('' for none); its members get it at once."""
    policy.require(actor, Action.MANAGE_ORGANIZATION)
    if group.organization_id != actor.organization.pk:
        raise NotFound()
    if role not in {"", *(value for value, _ in GROUP_ROLES)}:
        raise ValidationFailed(
            f"{role!r} is not a role a group can grant.", fields={"role": ["Unknown role."]}
        )
    old = group.role
    group.role = role
    group.save(update_fields=["role", "updated_at"])
    event_record(actor, "scim.group_role_changed", group, from_=old, to=role)
    for scim_user in group.members.all():
        _sync_access(scim_user)
    return group


def _group_name(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed("displayName is required.", fields={"displayName": ["Required."]})
    return value[:255]


def _slug(name: str) -> str:
    return slugify(name)[:50].strip("-") or "team"


def _free_slug(organization: Organization, name: str) -> str:
    base = _slug(name)
    taken = set(
        Team.objects.filter(organization=organization, slug__startswith=base[:44]).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base[:44]}-{n}"
    return slug


def _set_members(group: ScimGroup, members: list[ScimUser]) -> tuple[int, int]:
    for scim_user in members:
        if scim_user.organization_id != group.organization_id:
            raise NotFound()
    before = {su.pk: su for su in group.members.all()}
    after = {su.pk: su for su in members}
    group.members.set(members)
    for pk in before.keys() ^ after.keys():
        scim_user = after.get(pk) or before[pk]
        _sync_access(scim_user)
    return len(after.keys() - before.keys()), len(before.keys() - after.keys())
