"""Every write about context packs: named bundles of assets, in order.

The same contract as ``services``: keyword-only, transactional, rights checked through
``accounts.policy``, an ``Event`` each; ``actor=None`` is the server's operator, who names an owner.
"""

from __future__ import annotations

from django.db import transaction

from huddle.accounts import policy
from huddle.accounts.models import Organization, Team, User, Visibility
from huddle.accounts.policy import Action, Actor
from huddle.context.models import ContextAsset, ContextPack, PackItem
from huddle.context.services import _sharing
from huddle.core.errors import ValidationFailed
from huddle.core.services import System, event_record


def _pack_assets(actor: Actor | None, organization: Organization, assets: list[ContextAsset]):
    for asset in assets:
        if asset.organization_id != organization.pk or (
            actor is not None and not policy.can_see(actor, asset)
        ):
            raise ValidationFailed("Unknown context asset.", fields={"assets": ["Unknown."]})
    if not assets:
        raise ValidationFailed("Choose at least one asset.", fields={"assets": ["Required."]})


def _pack_name(organization: Organization, name: str, pack: ContextPack | None = None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(
            "A pack needs a name (120 characters max).", fields={"name": ["1 to 120 characters."]}
        )
    clash = ContextPack.objects.filter(organization=organization, name__iexact=name)
    if pack is not None:
        clash = clash.exclude(pk=pack.pk)
    if clash.exists():
        raise ValidationFailed(
            f"There is already a pack called {name!r}.", fields={"name": ["Already exists."]}
        )
    return name


@transaction.atomic
def pack_create(
    *,
    actor: Actor | None,
    organization: Organization,
    name: str,
    assets: list[ContextAsset],
    description: str = "",
    owner: User | None = None,
    visibility: str = Visibility.ORG,
    team: Team | None = None,
) -> ContextPack:
    """A named bundle of assets (in the given order)."""
    if actor is not None:
        policy.require(actor, Action.CREATE_CONTENT)
        organization, owner = actor.organization, actor.user
    if owner is None:
        raise ValidationFailed("Say who owns this pack.", fields={"owner": ["Required."]})
    name = _pack_name(organization, name)
    visibility, team = _sharing(organization, visibility, team)
    _pack_assets(actor, organization, assets)
    pack = ContextPack.objects.create(
        organization=organization,
        name=name,
        description=description.strip()[:300],
        owner=owner,
        visibility=visibility,
        team=team,
    )
    PackItem.objects.bulk_create(
        PackItem(pack=pack, asset=asset, position=index) for index, asset in enumerate(assets)
    )
    event_record(
        actor or System(organization), "context_pack.created", pack, assets=[a.slug for a in assets]
    )
    return pack


@transaction.atomic
def pack_update(
    *, actor: Actor, pack: ContextPack, name: str, assets: list[ContextAsset], description: str = ""
) -> ContextPack:
    policy.require_edit(actor, pack)
    name = _pack_name(pack.organization, name, pack)
    _pack_assets(actor, pack.organization, assets)
    pack.name, pack.description = name, description.strip()[:300]
    pack.save(update_fields=["name", "description", "updated_at"])
    pack.items.all().delete()
    PackItem.objects.bulk_create(
        PackItem(pack=pack, asset=asset, position=index) for index, asset in enumerate(assets)
    )
    event_record(actor, "context_pack.updated", pack)
    return pack


@transaction.atomic
def pack_delete(*, actor: Actor, pack: ContextPack) -> None:
    policy.require_edit(actor, pack)
    event_record(actor, "context_pack.deleted", pack, label=pack.name)
    pack.delete()
