"""What a provider's search asks, read Huddle's way: the lookups it makes by one attribute
narrowed in SQL (so a lookup does not load the whole organisation), and whether it leaves the
members out of the groups it reads."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from scim2_models import ScimFilter
from scim2_models.path import CompareOperator, Comparison

from huddle.sso.models import ScimGroup, ScimUser
from huddle.sso.scim.resources import resource_uuid

# Attributes a provider looks people and groups up by (Entra ID, Okta): narrowed in SQL. Any
# other filter is matched in Python (``OrganizationStorage.search``).
_INDEXED = {
    "username": "user_name__iexact",
    "externalid": "external_id",
    "id": "public_id",
    "displayname": "display_name__iexact",
}


def narrow(rows: QuerySet[Any], scim_filter: ScimFilter[Any] | None) -> QuerySet[Any]:
    """``rows`` narrowed to what an ``attribute eq "value"`` filter on an indexed attribute can
    match; every other filter leaves them as they are (the filter itself still decides)."""
    if scim_filter is None:
        return rows
    node = scim_filter.ast
    if not isinstance(node, Comparison) or node.op != CompareOperator.eq:
        return rows
    if not isinstance(node.value, str):
        return rows
    attribute = str(node.attr_path).rsplit(":", 1)[-1].lower()
    lookup = _INDEXED.get(attribute)
    if lookup is None or (lookup.startswith("user_name") and rows.model is not ScimUser):
        return rows
    if lookup.startswith("display_name") and rows.model is not ScimGroup:
        return rows
    if lookup == "public_id":
        value = resource_uuid(node.value)
        return rows.filter(public_id=value) if value else rows.none()
    return rows.filter(**{lookup: node.value})


def excludes_members(parameters: Any) -> bool:
    """Whether a request's ``excludedAttributes`` leave out a group's members."""
    excluded = getattr(parameters, "excluded_attributes", None) or []
    return any(str(path).lower().endswith("members") for path in excluded)
