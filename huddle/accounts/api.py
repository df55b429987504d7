"""``/api/v1/me`` and ``/api/v1/stats``: who the token belongs to, and the organisation's counts."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema

from huddle.core.stats import organization_stats

router = Router(tags=["accounts"])


class UserOut(Schema):
    id: UUID
    email: str
    name: str


class OrganizationOut(Schema):
    id: UUID
    slug: str
    name: str


class MeOut(Schema):
    user: UserOut
    organization: OrganizationOut
    role: str


@router.get("/me", response=MeOut, summary="The token's user, organisation and role")
def me(request: HttpRequest) -> dict:
    actor = request.actor  # type: ignore[attr-defined]
    return {
        "user": {"id": actor.user.public_id, "email": actor.user.email, "name": actor.user.name},
        "organization": {
            "id": actor.organization.public_id,
            "slug": actor.organization.slug,
            "name": actor.organization.name,
        },
        "role": actor.role.value,
    }


@router.get("/stats", response=dict[str, int], summary="Counts of the organisation's objects")
def stats(request: HttpRequest) -> dict[str, int]:
    return organization_stats(request.actor.organization)  # type: ignore[attr-defined]
