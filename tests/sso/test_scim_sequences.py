"""The request sequences Microsoft Entra ID and Okta document for SCIM 2.0 provisioning, sent as
they send them (capitalised ``op``, ``"False"`` as a string, PATCH without a path, member removal
by filter), and what each does to people's access in Huddle."""

from __future__ import annotations

import pytest

from huddle.accounts.models import ApiToken, Membership, Role, Team, User
from huddle.accounts.services import token_create
from huddle.core.models import Event
from huddle.sso.models import ScimGroup, ScimUser
from huddle.sso.services import scim_group_set_role
from tests.factories import MembershipFactory, UserFactory

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


def entra_user(user_name: str = "Test_User_ab6490ee@contoso.com", **extra):
    # Entra ID's "Create User" request, as its provisioning documentation shows it.
    return {
        "schemas": [USER, ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {
            "formatted": "givenName familyName",
            "familyName": "familyName",
            "givenName": "givenName",
        },
        "roles": [],
        ENTERPRISE: {"department": "Marketing"},
        **extra,
    }


def okta_user(user_name: str = "test.user@okta-customer.com"):
    # Okta's "Create the user" request; Okta may send a password, which Huddle ignores.
    return {
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }


def test_entra_user_sequence_creates_finds_updates_disables_and_deletes(db, scim, org):
    created = scim.post("/Users", entra_user())
    assert created.status_code == 201, created.content
    body = created.json()
    user_id = body["id"]
    assert body["userName"] == "Test_User_ab6490ee@contoso.com"
    assert body[ENTERPRISE]["department"] == "Marketing"
    membership = Membership.objects.get(
        organization=org, user__email="test_user_ab6490ee@contoso.com"
    )
    assert membership.role == Role.MEMBER
    assert not membership.user.has_usable_password()

    got = scim.get(f"/Users/{user_id}")
    assert got.status_code == 200
    assert got.json()["name"]["givenName"] == "givenName"

    found = scim.get('/Users?filter=userName eq "Test_User_ab6490ee@contoso.com"')
    assert found.json()["totalResults"] == 1
    assert found.json()["Resources"][0]["id"] == user_id
    none = scim.get('/Users?filter=userName eq "non-existent user"')
    assert none.status_code == 200
    assert none.json()["totalResults"] == 0

    multi = scim.patch(
        f"/Users/{user_id}",
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "updated@contoso.com"},
        {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
    )
    assert multi.status_code == 200, multi.content
    assert multi.json()["emails"][0]["value"] == "updated@contoso.com"
    assert multi.json()["name"]["familyName"] == "updatedFamilyName"

    single = scim.patch(
        f"/Users/{user_id}",
        {"op": "Replace", "path": "userName", "value": "renamed@contoso.com"},
    )
    assert single.status_code == 200
    membership.user.refresh_from_db()
    assert membership.user.email == "renamed@contoso.com"  # only in this organisation: follows

    disabled = scim.patch(
        f"/Users/{user_id}", {"op": "Replace", "path": "active", "value": "False"}
    )
    assert disabled.status_code == 200
    assert disabled.json()["active"] is False
    assert not Membership.objects.filter(organization=org, user=membership.user).exists()

    deleted = scim.delete(f"/Users/{user_id}")
    assert deleted.status_code == 204
    assert scim.get(f"/Users/{user_id}").status_code == 404
    kinds = list(
        Event.objects.filter(organization=org, kind__startswith="scim.user").values_list(
            "kind", flat=True
        )
    )
    assert sorted(kinds) == sorted(
        [
            "scim.user_created",
            "scim.user_updated",
            "scim.user_updated",
            "scim.user_deactivated",
            "scim.user_deleted",
        ]
    )


def test_entra_group_sequence_maps_the_group_to_a_team_with_its_members(db, scim, org):
    user_id = scim.post("/Users", entra_user()).json()["id"]
    created = scim.post(
        "/Groups",
        {
            "schemas": [GROUP],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "Marketing EMEA",
            "meta": {"resourceType": "Group"},
        },
    )
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    team = Team.objects.get(organization=org, scim_group__public_id=group_id)
    assert team.name == "Marketing EMEA"

    assert scim.get(f"/Groups/{group_id}?excludedAttributes=members").status_code == 200
    by_name = scim.get('/Groups?excludedAttributes=members&filter=displayName eq "Marketing EMEA"')
    assert by_name.json()["totalResults"] == 1

    renamed = scim.patch(
        f"/Groups/{group_id}", {"op": "Replace", "path": "displayName", "value": "Marketing Europe"}
    )
    assert renamed.status_code == 200
    team.refresh_from_db()
    assert team.name == "Marketing Europe"

    added = scim.patch(
        f"/Groups/{group_id}",
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": user_id}]},
    )
    assert added.status_code == 200, added.content
    person = ScimUser.objects.get(public_id=user_id)
    membership = Membership.objects.get(organization=org, user=person.user)
    assert list(membership.teams.all()) == [team]
    assert scim.get(f"/Users/{user_id}").json()["groups"][0]["value"] == group_id

    removed = scim.patch(
        f"/Groups/{group_id}",
        {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": user_id}]},
    )
    assert removed.status_code == 200
    assert list(membership.teams.all()) == []

    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert not Team.objects.filter(pk=team.pk).exists()


def test_okta_sequence_with_put_patch_without_path_and_member_removal_by_filter(db, scim, org):
    assert (
        scim.get(
            '/Users?filter=userName eq "test.user@okta-customer.com"&startIndex=1&count=100'
        ).json()["totalResults"]
        == 0
    )
    created = scim.post("/Users", okta_user())
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    assert "password" not in created.json()
    user = User.objects.get(email="test.user@okta-customer.com")
    assert not user.has_usable_password()  # the password Okta sent is ignored

    replaced = scim.put(
        f"/Users/{user_id}",
        {**okta_user(), "id": user_id, "name": {"givenName": "Tess", "familyName": "User"}},
    )
    assert replaced.status_code == 200, replaced.content
    user.refresh_from_db()
    assert user.name == "Tess User"

    group = scim.post("/Groups", {"schemas": [GROUP], "displayName": "Okta Sales", "members": []})
    group_id = group.json()["id"]
    scim.patch(
        f"/Groups/{group_id}",
        {
            "op": "add",
            "path": "members",
            "value": [{"value": user_id, "display": "test.user@okta-customer.com"}],
        },
    )
    assert ScimGroup.objects.get(public_id=group_id).members.count() == 1
    renamed = scim.patch(
        f"/Groups/{group_id}",
        {"op": "replace", "value": {"id": group_id, "displayName": "Okta Sales EU"}},
    )
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["displayName"] == "Okta Sales EU"
    dropped = scim.patch(
        f"/Groups/{group_id}", {"op": "remove", "path": f'members[value eq "{user_id}"]'}
    )
    assert dropped.status_code == 200, dropped.content
    assert ScimGroup.objects.get(public_id=group_id).members.count() == 0

    deactivated = scim.patch(f"/Users/{user_id}", {"op": "replace", "value": {"active": False}})
    assert deactivated.status_code == 200, deactivated.content
    assert deactivated.json()["active"] is False
    assert not Membership.objects.filter(organization=org, user=user).exists()

    reactivated = scim.patch(f"/Users/{user_id}", {"op": "replace", "value": {"active": True}})
    assert reactivated.json()["active"] is True
    assert Membership.objects.filter(organization=org, user=user).exists()


def test_deactivation_ends_sessions_and_api_tokens_at_once(db, scim, org, owner, login, client):
    user_id = scim.post("/Users", okta_user("jo@okta-customer.com")).json()["id"]
    user = User.objects.get(email="jo@okta-customer.com")
    user.set_password("a-long-enough-password-1")
    user.save()
    browser = client
    assert browser.login(username="jo@okta-customer.com", password="a-long-enough-password-1")
    assert browser.get(f"/o/{org.slug}/").status_code == 200
    membership = Membership.objects.get(organization=org, user=user)
    from huddle.accounts.policy import Actor

    _token, raw = token_create(actor=Actor(membership), name="script")
    api = {"authorization": f"Bearer {raw}"}
    assert browser.get("/api/v1/me", headers=api).status_code == 200

    scim.patch(f"/Users/{user_id}", {"op": "replace", "value": {"active": False}})

    page = browser.get(f"/o/{org.slug}/")
    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]
    assert browser.get("/api/v1/me", headers=api).status_code == 401
    assert ApiToken.objects.get(user=user).revoked_at is not None


def test_roles_follow_the_groups_that_grant_them(db, scim, org, owner):
    user_id = scim.post("/Users", okta_user("ed@okta-customer.com")).json()["id"]
    group_id = scim.post("/Groups", {"schemas": [GROUP], "displayName": "Editors"}).json()["id"]
    group = ScimGroup.objects.get(public_id=group_id)
    scim_group_set_role(actor=owner.actor, group=group, role=Role.EDITOR)
    scim.patch(
        f"/Groups/{group_id}", {"op": "Add", "path": "members", "value": [{"value": user_id}]}
    )
    membership = Membership.objects.get(organization=org, user__email="ed@okta-customer.com")
    assert membership.role == Role.EDITOR
    scim_group_set_role(actor=owner.actor, group=group, role=Role.ADMIN)
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


@pytest.mark.parametrize(
    ("body", "status", "scim_type"),
    [
        ({"schemas": [USER], "userName": "not-an-email"}, 400, "invalidValue"),
        ({"schemas": [USER]}, 400, None),
        ({"schemas": [USER], "userName": "dup@okta-customer.com", "emails": "nope"}, 400, None),
    ],
)
def test_bad_user_bodies_get_a_scim_error_and_write_nothing(db, scim, org, body, status, scim_type):
    response = scim.post("/Users", body)
    assert response.status_code == status, response.content
    error = response.json()
    assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert error["detail"]
    if scim_type:
        assert error["scimType"] == scim_type
    assert not ScimUser.objects.exists()


def test_the_same_user_name_twice_is_a_uniqueness_conflict(db, scim):
    assert scim.post("/Users", okta_user("twice@okta-customer.com")).status_code == 201
    again = scim.post("/Users", okta_user("twice@okta-customer.com"))
    assert again.status_code == 409
    assert again.json()["scimType"] == "uniqueness"


def test_an_existing_account_outside_the_organisation_is_not_pulled_in(db, scim, other_org):
    stranger = UserFactory(email="stranger@globex-corp.com")
    MembershipFactory(organization=other_org, user=stranger)
    response = scim.post("/Users", okta_user(stranger.email))
    assert response.status_code == 409
    assert "outside this organisation" in response.json()["detail"]


def test_an_existing_member_is_linked_not_duplicated(db, scim, org):
    member = MembershipFactory(organization=org, user=UserFactory(email="kim@acme-corp.com"))
    response = scim.post("/Users", okta_user("Kim@acme-corp.com"))
    assert response.status_code == 201
    assert ScimUser.objects.get().user == member.user


def test_no_token_or_a_wrong_token_is_401_with_a_scim_error(db, client):
    for headers in ({}, {"authorization": "Bearer scim_nope"}, {"authorization": "Basic x"}):
        response = client.get("/scim/v2/Users", headers=headers)
        assert response.status_code == 401
        assert response.json()["status"] == "401"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_service_provider_config_is_public_and_announces_patch_and_filter(db, client):
    body = client.get("/scim/v2/ServiceProviderConfig").json()
    assert body["patch"]["supported"] is True
    assert body["filter"]["supported"] is True
    assert body["bulk"]["supported"] is False


def test_deactivating_the_last_owner_is_refused_and_changes_nothing(db, scim, org, owner):
    # Link the owner's own account (already a member), then try to deactivate them.
    owner.user.email = "boss@acme-corp.com"
    owner.user.save()
    linked = scim.post("/Users", okta_user("boss@acme-corp.com")).json()["id"]
    response = scim.patch(f"/Users/{linked}", {"op": "replace", "value": {"active": False}})
    assert response.status_code == 409
    assert "at least one owner" in response.json()["detail"]
    assert Membership.objects.get(organization=org, user=owner.user).role == Role.OWNER
    assert ScimUser.objects.get(public_id=linked).active is True
