"""The SCIM 2.0 endpoint (``/scim/v2/…``): scim2-server speaks the protocol (routing, PATCH as
Entra ID and Okta send it, filters, errors, discovery); this module stores its resources in
Huddle's tables, through ``sso.services``, for the one organisation the bearer token names.

A resource is always looked up inside the token's organisation: an id of another organisation's
person or group is "not found", exactly like an id that does not exist.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any, Union, cast
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from scim2_models import (
    Address,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ConflictException,
    Context,
    EnterpriseUser,
    ETag,
    External,
    Filter,
    Group,
    InvalidValueException,
    Meta,
    NotFoundException,
    Patch,
    PatchOp,
    Reference,
    Resource,
    ResourceType,
    ResponseParameters,
    SCIMException,
    ScimFilter,
    ScimProvider,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    UnauthorizedException,
    UniquenessException,
    User,
)
from scim2_models.path import CompareOperator, Comparison
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService
from scim2_server.storage import ScimStorage, SearchPage
from scim2_server.utils import parametrize

from huddle.accounts.models import Organization
from huddle.core.errors import HuddleError
from huddle.sso import services
from huddle.sso.models import ScimGroup, ScimToken, ScimUser

MAX_RESULTS = 200
# The largest body a provider sends is a group with its members: 1 MiB holds ~10,000 of them.
MAX_BODY_BYTES = 1024 * 1024

UserResource = User[EnterpriseUser]
CONFIG = ServiceProviderConfig(
    documentation_uri=None,
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_RESULTS),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=False),
    etag=ETag(supported=False),
    authentication_schemes=[
        AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken,
            name="Bearer token",
            description="The organisation's SCIM token, from its Single sign-on settings page.",
            spec_uri=Reference[External]("https://datatracker.ietf.org/doc/html/rfc6750"),
        )
    ],
)
PROVIDER = ScimProvider(
    models=[User, EnterpriseUser, Group],
    resource_types=[
        ResourceType.from_resource(UserResource),
        ResourceType.from_resource(Group),
    ],
    config=CONFIG,
)


class HuddleScimService(ScimService):
    """scim2-server's protocol steps, with the answers Entra ID and Okta expect."""

    def read_patch(
        self, resource_type: ResourceType, body: bytes, content_type: str | None
    ) -> PatchOp[Any]:
        return super().read_patch(resource_type, _entra_member_removal(body), content_type)

    def apply_patch(
        self, current: Resource[Any], patch_op: PatchOp[Any], conditions: Any
    ) -> Resource[Any] | None:
        _entra_address_targets(current, patch_op)
        return super().apply_patch(current, patch_op, conditions)

    def patch_response(
        self,
        base_url: str,
        resource: Resource[Any],
        response_parameters: ResponseParameters[Any],
    ) -> ScimResponse:
        # RFC 7644 allows 204 here, but Okta reads the user back from a PATCH's answer: 200.
        return self.resource_response(
            self.publish(base_url, resource),
            Context.RESOURCE_REPLACEMENT_RESPONSE,
            response_parameters,
        )


SERVICE = HuddleScimService(PROVIDER)


def _entra_member_removal(body: bytes) -> bytes:
    """Entra ID removes group members as ``{"op": "Remove", "path": "members", "value":
    [{"value": id}]}``; RFC 7644 (and scim2-models) want the member in a filter of the path.
    Rewrite that one form into ``members[value eq "id"]`` operations; leave anything else as
    sent, for the library to judge."""
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return body
    operations = payload.get("Operations") if isinstance(payload, dict) else None
    if not isinstance(operations, list):
        return body
    rewritten: list[Any] = []
    for operation in operations:
        value = operation.get("value") if isinstance(operation, dict) else None
        if (
            isinstance(operation, dict)
            and str(operation.get("op", "")).lower() == "remove"
            and str(operation.get("path", "")).lower() == "members"
            and isinstance(value, list)
            and all(isinstance(v, dict) and isinstance(v.get("value"), str) for v in value)
        ):
            rewritten.extend(
                {"op": "remove", "path": f"members[value eq {json.dumps(v['value'])}]"}
                for v in value
            )
        else:
            rewritten.append(operation)
    payload["Operations"] = rewritten
    return json.dumps(payload).encode()


# Entra ID sets an address field as ``{"op": "Add", "path": "addresses[type eq \"work\"].region"}``
# also when the person has no work address yet; RFC 7644 has no target for that filter.
_ADDRESS_PATH = re.compile(r'^addresses\[type eq "([^"]+)"\]\.\w+$', re.IGNORECASE)


def _entra_address_targets(current: Resource[Any], patch_op: PatchOp[Any]) -> None:
    """Give ``current`` an empty address of each type an add or replace sets a field of, so that
    the filter has its target (what Entra ID expects: the address is made)."""
    for operation in patch_op.operations or []:
        match = _ADDRESS_PATH.match(str(operation.path or ""))
        if match is None or str(operation.op.value) not in ("add", "replace"):
            continue
        kind = match[1]
        addresses = list(getattr(current, "addresses", None) or [])
        if not any((a.type or "").lower() == kind.lower() for a in addresses):
            current.addresses = [*addresses, Address(type=kind)]  # type: ignore[attr-defined]


USER_TYPE = PROVIDER.resource_types[0]
GROUP_TYPE = PROVIDER.resource_types[1]
# Kept in ScimUser.data as sent; the rest is computed.
_COMPUTED = {"id", "meta", "groups", "password"}


# --- resources <-> rows ----------------------------------------------------------------------


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


def _person(resource: Resource[Any]) -> services.Person:
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


# --- the storage of one organisation ---------------------------------------------------------


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


class OrganizationStorage(ScimStorage):
    """SCIM users and groups of one organisation, in Huddle's tables."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization

    # rows

    def _users(self) -> QuerySet[ScimUser]:
        return ScimUser.objects.filter(organization=self.organization).prefetch_related("groups")

    def _groups(self) -> QuerySet[ScimGroup]:
        return ScimGroup.objects.filter(organization=self.organization).prefetch_related("members")

    def _row(self, resource_type: ResourceType, resource_id: str | None) -> ScimUser | ScimGroup:
        rows = self._users() if resource_type.name == USER_TYPE.name else self._groups()
        public_id = _uuid(resource_id)
        row = rows.filter(public_id=public_id).first() if public_id else None
        if row is None:
            raise NotFoundException(detail=f"{resource_type.name} {resource_id} not found")
        return row

    def _resource(self, row: ScimUser | ScimGroup, with_members: bool = True) -> Resource[Any]:
        if isinstance(row, ScimUser):
            return user_resource(row)
        return group_resource(row, with_members=with_members)

    def _members(self, resource: Resource[Any]) -> list[ScimUser]:
        values = [m.value for m in (cast(Group, resource).members or [])]
        ids = {_uuid(v) for v in values}
        if None in ids:
            raise InvalidValueException(detail="A member's value is not a user id of this service.")
        found = list(ScimUser.objects.filter(organization=self.organization, public_id__in=ids))
        if len(found) != len(ids):
            missing = sorted(str(i) for i in ids - {u.public_id for u in found})
            raise InvalidValueException(detail=f"No such users: {', '.join(missing)}")
        return found

    # ScimStorage

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        with_members = not _excludes_members(response_parameters)
        return self._resource(self._row(resource_type, resource_id), with_members)

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        found: list[Resource[Any]] = []
        with_members = not _excludes_members(search_request)
        for resource_type in resource_types:
            is_user = resource_type.name == USER_TYPE.name
            rows = _narrow(self._users() if is_user else self._groups(), search_request.filter)
            found.extend(self._resource(row, with_members) for row in rows.order_by("pk"))
        scim_filter = search_request.filter
        if scim_filter is not None:
            if not scim_filter.models and found:
                models = tuple(dict.fromkeys(type(r) for r in found))
                scim_filter = parametrize(ScimFilter, Union[models])(str(scim_filter))  # noqa: UP007
            found = [r for r in found if scim_filter.match(r)]
        start = search_request.start_index_0 or 0
        stop = None if search_request.count is None else start + search_request.count
        return SearchPage(len(found), found[start:stop])

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        with _as_scim_errors():
            if resource_type.name == USER_TYPE.name:
                row: ScimUser | ScimGroup = services.scim_user_create(
                    organization=self.organization, person=_person(resource)
                )
            else:
                group = cast(Group, resource)
                row = services.scim_group_create(
                    organization=self.organization,
                    display_name=group.display_name or "",
                    external_id=group.external_id or "",
                    members=self._members(resource),
                )
        return self._resource(self._row(resource_type, str(row.public_id)))

    def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        row = self._row(resource_type, resource.id)
        with _as_scim_errors():
            if isinstance(row, ScimUser):
                services.scim_user_update(scim_user=row, person=_person(resource))
            else:
                group = cast(Group, resource)
                services.scim_group_update(
                    group=row,
                    display_name=group.display_name or "",
                    external_id=group.external_id or "",
                    members=self._members(resource),
                )
        return self._resource(self._row(resource_type, resource.id))

    def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        row = self._row(resource_type, resource_id)
        with _as_scim_errors():
            if isinstance(row, ScimUser):
                services.scim_user_delete(scim_user=row)
            else:
                services.scim_group_delete(group=row)

    @contextmanager
    def operation(self) -> Iterator[None]:
        with transaction.atomic():
            yield


def _excludes_members(parameters: Any) -> bool:
    excluded = getattr(parameters, "excluded_attributes", None) or []
    return any(str(path).lower().endswith("members") for path in excluded)


# Attributes a provider looks people and groups up by (Entra ID, Okta): narrowed in SQL, so a
# lookup does not load the whole organisation. Any other filter is matched in Python.
_INDEXED = {
    "username": "user_name__iexact",
    "externalid": "external_id",
    "id": "public_id",
    "displayname": "display_name__iexact",
}


def _narrow(rows: QuerySet[Any], scim_filter: ScimFilter[Any] | None) -> QuerySet[Any]:
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
        value = _uuid(node.value)
        return rows.filter(public_id=value) if value else rows.none()
    return rows.filter(**{lookup: node.value})


@contextmanager
def _as_scim_errors() -> Iterator[None]:
    """Huddle's errors from the services, as the SCIM errors a provider understands."""
    try:
        yield
    except services.Conflict as error:
        raise UniquenessException(detail=error.message) from None
    except HuddleError as error:
        if error.status == 404:
            raise NotFoundException(detail=error.message) from None
        if error.status == 409:  # the last owner
            raise ConflictException(detail=error.message) from None
        raise InvalidValueException(detail=error.message) from None


# --- the Django view -------------------------------------------------------------------------


def _authenticate(request: HttpRequest) -> ScimToken:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    token = services.scim_token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise UnauthorizedException(detail="A valid SCIM bearer token is required.")
    return token


def _django_response(response: ScimResponse) -> HttpResponse:
    body = b"" if response.body is None else json.dumps(response.body).encode()
    result = HttpResponse(body, status=int(response.status))
    for name, value in response.headers.items():
        result[name] = value
    return result


@csrf_exempt
def scim_view(request: HttpRequest, path: str = "") -> HttpResponse:
    """Serve one SCIM request for the organisation of the bearer token."""
    base_url = request.build_absolute_uri("/scim/v2").rstrip("/")
    try:
        length = int(request.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return _django_response(
                ScimResponse(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    {
                        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                        "status": "413",
                        "detail": f"The body is over {MAX_BODY_BYTES} bytes.",
                    },
                )
            )
        scim_request = ScimRequest(
            method=request.method or "GET",
            base_url=base_url,
            path="/" + path,
            query=request.GET.dict(),
            headers=list(request.headers.items()),
            body=request.body,
        )
        if SERVICE.match(scim_request).operation.value != "service_provider_config":
            scim_request.subject = _authenticate(request)
            storage = OrganizationStorage(scim_request.subject.organization)
        else:
            storage = OrganizationStorage(Organization())  # discovery reads no rows
        response = ScimHandler(SERVICE, storage).handle(scim_request)
    except SCIMException as error:
        response = SERVICE.error_response(error)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="scim"'
    response.headers.setdefault("Cache-Control", "no-cache")
    return _django_response(response)
