"""Where an asset is used: filled in by apps above ``context`` (the library), which register a
provider from their ``AppConfig.ready``. ``context`` never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from huddle.accounts.policy import Actor
    from huddle.context.models import ContextAsset


@dataclass(frozen=True)
class Usage:
    label: str  # e.g. the workflow's title
    url: str
    runs: int = 0  # how many runs used the asset


UsageProvider = Callable[["Actor", "ContextAsset"], list[Usage]]
_providers: list[UsageProvider] = []


def register_usage_provider(provider: UsageProvider) -> None:
    """``provider(actor, asset)`` lists what references the asset, as the actor may see it."""
    if provider not in _providers:
        _providers.append(provider)


def usages(actor: Actor, asset: ContextAsset) -> list[Usage]:
    return [usage for provider in _providers for usage in provider(actor, asset)]
