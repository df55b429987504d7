"""The SCIM users and groups of one organisation, in Huddle's tables: read as resources and
written through ``sso.services`` (which record the events and keep members and teams in step).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Union, cast

from django.db import transaction
from django.db.models import QuerySet
from scim2_models import (
    ConflictException,
    Group,
    InvalidValueException,
    NotFoundException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    UniquenessException,
)
from scim2_server.storage import ScimStorage, SearchPage
from scim2_server.utils import parametrize

from huddle.accounts.models import Organization
from huddle.core.errors import HuddleError
from huddle.sso import services
from huddle.sso.models import ScimGroup, ScimUser
from huddle.sso.scim.filters import excludes_members, narrow
from huddle.sso.scim.protocol import USER_TYPE
from huddle.sso.scim.resources import group_resource, person, resource_uuid, user_resource


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
        public_id = resource_uuid(resource_id)
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
        ids = {resource_uuid(v) for v in values}
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
        with_members = not excludes_members(response_parameters)
        return self._resource(self._row(resource_type, resource_id), with_members)

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        found: list[Resource[Any]] = []
        with_members = not excludes_members(search_request)
        for resource_type in resource_types:
            is_user = resource_type.name == USER_TYPE.name
            rows = narrow(self._users() if is_user else self._groups(), search_request.filter)
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
                    organization=self.organization, person=person(resource)
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
                services.scim_user_update(scim_user=row, person=person(resource))
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
