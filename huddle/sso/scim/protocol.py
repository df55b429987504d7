"""What Huddle's SCIM service offers (discovery: users with the enterprise extension, groups,
PATCH and filters, no bulk, sort or ETags) and the protocol steps it answers its own way."""

from __future__ import annotations

from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    ETag,
    External,
    Filter,
    Group,
    Patch,
    PatchOp,
    Reference,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService

from huddle.sso.scim.patches import entra_address_targets, entra_member_removal

MAX_RESULTS = 200

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
USER_TYPE = PROVIDER.resource_types[0]
GROUP_TYPE = PROVIDER.resource_types[1]


class HuddleScimService(ScimService):
    """scim2-server's protocol steps, with the answers Entra ID and Okta expect."""

    def read_patch(
        self, resource_type: ResourceType, body: bytes, content_type: str | None
    ) -> PatchOp[Any]:
        return super().read_patch(resource_type, entra_member_removal(body), content_type)

    def apply_patch(
        self, current: Resource[Any], patch_op: PatchOp[Any], conditions: Any
    ) -> Resource[Any] | None:
        entra_address_targets(current, patch_op)
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
