"""Reads about context assets and packs, always through ``policy.visible_q``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from huddle.accounts import policy
from huddle.accounts.models import Organization
from huddle.accounts.policy import Actor
from huddle.context.models import ContextAsset, ContextPack, ContextVersion, Kind, Status
from huddle.core.errors import NotFound


def assets(
    actor: Actor, *, kind: str = "", status: str = "", search: str = ""
) -> QuerySet[ContextAsset]:
    """The assets the actor may see, title order; archived ones only when asked for."""
    queryset = ContextAsset.objects.filter(policy.visible_q(actor)).select_related(
        "owner", "team", "approved_version"
    )
    if kind in Kind.values:
        queryset = queryset.filter(kind=kind)
    if status in Status.values:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(status=Status.ARCHIVED)
    if search.strip():
        term = search.strip()
        queryset = queryset.filter(
            Q(title__icontains=term) | Q(slug__icontains=term) | Q(description__icontains=term)
        )
    return queryset.order_by("title", "id")


def get_asset(actor: Actor, public_id: object) -> ContextAsset:
    """One visible asset of the actor's organisation, else ``NotFound``."""
    queryset = ContextAsset.objects.filter(policy.visible_q(actor)).select_related(
        "organization", "owner", "team", "approved_version"
    )
    try:
        return queryset.get(public_id=public_id)
    except (ContextAsset.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound() from None


def versions(asset: ContextAsset) -> QuerySet[ContextVersion]:
    """All versions, newest first, without the heavy columns."""
    return (
        ContextVersion.objects.filter(asset=asset)
        .defer("table_gz", "data", "parts")
        .select_related("author")
        .order_by("-number")
    )


def get_version(asset: ContextAsset, number: int | None = None) -> ContextVersion:
    """Version ``number`` of the asset; by default the approved one, else the latest."""
    queryset = ContextVersion.objects.filter(asset=asset).select_related("author")
    if number is None:
        if asset.approved_version_id:
            return queryset.get(pk=asset.approved_version_id)
        number = asset.latest_number
    version = queryset.filter(number=number).first()
    if version is None:
        raise NotFound(f"{asset.title} has no version {number}.")
    return version


def pending_version(asset: ContextAsset) -> ContextVersion | None:
    """The newest version when it is newer than the approved one (awaiting approval)."""
    approved = asset.approved_version.number if asset.approved_version else 0
    if asset.latest_number > approved:
        return ContextVersion.objects.filter(asset=asset, number=asset.latest_number).first()
    return None


def packs(actor: Actor) -> QuerySet[ContextPack]:
    return (
        ContextPack.objects.filter(policy.visible_q(actor))
        .select_related("owner")
        .prefetch_related("items__asset")
        .order_by("name")
    )


def packs_of(actor: Actor, asset: ContextAsset) -> QuerySet[ContextPack]:
    """The packs the actor can see that hold ``asset``, by name."""
    return asset.packs.filter(policy.visible_q(actor)).order_by("name")


def pack_assets(pack: ContextPack) -> list[ContextAsset]:
    """The pack's assets, in the pack's order."""
    return [item.asset for item in pack.items.select_related("asset")]


def get_pack(actor: Actor, public_id: object) -> ContextPack:
    try:
        return packs(actor).get(public_id=public_id)
    except (ContextPack.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound() from None


def organization_assets(organization: Organization) -> QuerySet[ContextAsset]:
    """Every context asset of the organisation: the operator's view (the CLI on the host)."""
    return ContextAsset.objects.filter(organization=organization).select_related(
        "owner", "approved_version"
    )


def organization_pack_by_name(organization: Organization, name: str) -> ContextPack | None:
    """The organisation's pack called ``name`` (case ignored), whoever owns it; the operator's
    look-up."""
    return ContextPack.objects.filter(organization=organization, name__iexact=name.strip()).first()
