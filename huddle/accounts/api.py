"""``/api/v1/me`` and ``/api/v1/stats``: who the token belongs to, and the organisation's counts;
``/api/v1/access``: every member's API tokens and connected apps, for those who manage members."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status

from huddle.accounts import oauth, policy, queries, services
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


class AccessTokenOut(Schema):
    id: UUID
    name: str
    prefix: str
    member: str
    created_at: datetime
    last_used_at: datetime | None


class ConnectionOut(Schema):
    id: int
    app: str
    member: str
    granted_at: datetime


class AccessOut(Schema):
    tokens: list[AccessTokenOut]
    connections: list[ConnectionOut]


@router.get(
    "/access",
    response=AccessOut,
    summary="Every member's working API tokens and connected AI apps (admins)",
)
def access(request: HttpRequest) -> dict:
    return queries.organization_access(request.actor)  # type: ignore[attr-defined]


@router.delete(
    "/access/tokens/{token_id}",
    response={204: None},
    summary="Revoke an API token: your own, or any member's (admins)",
)
def access_token_revoke(request: HttpRequest, token_id: UUID) -> Status:
    actor = request.actor  # type: ignore[attr-defined]
    services.token_revoke(actor=actor, token=policy.get_api_token(actor, token_id))
    return Status(204, None)


@router.delete(
    "/access/connections/{connection_id}",
    response={204: None},
    summary="Disconnect a connected app: your own, or any member's (admins)",
)
def access_connection_revoke(request: HttpRequest, connection_id: int) -> Status:
    actor = request.actor  # type: ignore[attr-defined]
    oauth.connection_revoke(actor=actor, token=policy.get_oauth_connection(actor, connection_id))
    return Status(204, None)
