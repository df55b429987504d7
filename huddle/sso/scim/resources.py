"""Rows as SCIM resources (``user_resource``, ``group_resource``) and a User resource as what
Huddle keeps of a person (``person``)."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from scim2_models import EnterpriseUser, Group, Meta, Resource, ResourceType

from huddle.sso import services
from huddle.sso.models import ScimGroup, ScimUser
from huddle.sso.scim.protocol import GROUP_TYPE, USER_TYPE, UserResource

# Kept in ScimUser.data as sent; the rest is computed.
_COMPUTED = {"id", "meta", "groups", "password"}


def resource_uuid(value: str | None) -> UUID | None:
    """The public id a resource id names; ``None`` when it is no UUID (so no row has it)."""
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _version(row: ScimUser | ScimGroup) -> str:
    return f'W/"{int(row.updated_at.timestamp() * 1_000_000)}"'


def _meta(row: ScimUser | ScimGroup, resource_type: ResourceType) -> Meta:
    return Meta(
        resource_type=resource_type.name,
        created=row.created_at,
        last_modified=row.updated_at,
        version=_version(row),
    )


def user_resource(row: ScimUser) -> Resource[Any]:
    data = dict(row.data)
    data.update(
        {
            "id": str(row.public_id),
            "userName": row.user_name,
            "active": row.active,
            "groups": [
                {"value": str(g.public_id), "display": g.display_name, "type": "direct"}
                for g in row.groups.all()
            ],
        }
    )
    data["externalId"] = row.external_id or None
    resource = UserResource.model_validate(data)
    resource.meta = _meta(row, USER_TYPE)
    return resource


def group_resource(row: ScimGroup, *, with_members: bool = True) -> Resource[Any]:
    members = (
        [
            {"value": str(m.public_id), "display": m.user_name, "type": "User"}
            for m in row.members.all()
        ]
        if with_members
        else None
    )
    resource = Group.model_validate(
        {
            "id": str(row.public_id),
            "displayName": row.display_name,
            "externalId": row.external_id or None,
            "members": members or None,
        }
    )
    resource.meta = _meta(row, GROUP_TYPE)
    return resource


def person(resource: Resource[Any]) -> services.Person:
    """What Huddle keeps of a User resource. The e-mail is the userName when it is one, else the
    primary (or first) e-mail."""
    user = cast(UserResource, resource)
    emails = user.emails or []
    primary = next((e for e in emails if e.primary), emails[0] if emails else None)
    user_name = (user.user_name or "").strip()
    email = user_name if "@" in user_name else (primary.value if primary else "") or ""
    name = ""
    if user.name is not None:
        name = user.name.formatted or " ".join(
            part for part in (user.name.given_name, user.name.family_name) if part
        )
    name = name or user.display_name or ""
    data = user.model_dump(mode="json")
    for key in _COMPUTED:
        data.pop(key, None)
    return services.Person(
        user_name=user_name,
        email=str(email),
        name=name.strip(),
        external_id=user.external_id or "",
        active=user.active is not False,
        attributes=_attributes(user),
        data=data,
    )


def _attributes(user: Any) -> dict[str, str]:
    """Department, division and cost center from the enterprise extension; the region of the
    work address (else the primary, else the first), where Entra ID and Okta map it."""
    enterprise = user[EnterpriseUser]
    addresses = user.addresses or []
    address = next(
        (a for a in addresses if (a.type or "").lower() == "work"),
        next((a for a in addresses if a.primary), addresses[0] if addresses else None),
    )
    return {
        "department": (enterprise.department if enterprise else None) or "",
        "division": (enterprise.division if enterprise else None) or "",
        "cost_center": (enterprise.cost_center if enterprise else None) or "",
        "region": (address.region if address else None) or "",
    }
