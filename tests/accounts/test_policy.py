import pytest

from huddle.accounts import policy
from huddle.accounts.models import Role
from huddle.accounts.policy import Action
from huddle.core.errors import NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_outsider_is_not_found_in_an_organisation_they_do_not_belong_to(outsider, org):
    with pytest.raises(NotFound):
        policy.actor_for(outsider.user, org.slug)


def test_unknown_organisation_and_foreign_organisation_look_the_same(outsider, org):
    with pytest.raises(NotFound) as foreign:
        policy.actor_for(outsider.user, org.slug)
    with pytest.raises(NotFound) as missing:
        policy.actor_for(outsider.user, "no-such-org")
    assert foreign.value.message == missing.value.message


def test_inactive_user_is_nobody(member):
    member.user.is_active = False
    member.user.save()
    with pytest.raises(NotFound):
        policy.actor_for(member.user, member.org.slug)


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (Role.VIEWER, Action.VIEW_ORGANIZATION, True),
        (Role.VIEWER, Action.USE_API_TOKENS, True),
        (Role.MEMBER, Action.MANAGE_MEMBERS, False),
        (Role.EDITOR, Action.MANAGE_TEAMS, False),
        (Role.ADMIN, Action.MANAGE_MEMBERS, True),
        (Role.ADMIN, Action.VIEW_EVENTS, True),
        (Role.ADMIN, Action.MANAGE_ORGANIZATION, False),
        (Role.OWNER, Action.MANAGE_ORGANIZATION, True),
    ],
)
def test_roles_grant_actions_by_rank(personas, role, action, allowed):
    persona = personas[role.value]
    assert persona.actor.can(action) is allowed
    if not allowed:
        with pytest.raises(PermissionDenied):
            policy.require(persona.actor, action)


def test_admins_can_assign_every_role_but_owner(admin, owner):
    assert Role.OWNER not in policy.assignable_roles(admin.actor)
    assert Role.OWNER in policy.assignable_roles(owner.actor)


def test_admin_cannot_change_an_owner(admin, owner):
    with pytest.raises(PermissionDenied, match="Only an owner"):
        policy.require_can_manage_member(admin.actor, owner.membership, Role.MEMBER)


def test_scoped_lookups_do_not_find_another_organisations_objects(owner, outsider):
    with pytest.raises(NotFound):
        policy.get_membership(owner.actor, outsider.membership.public_id)


def test_scoped_lookup_with_a_malformed_id_is_not_found(owner):
    with pytest.raises(NotFound):
        policy.get_team(owner.actor, "not-a-uuid")


def test_organizations_for_lists_only_the_users_own(owner, outsider, org, other_org):
    assert list(policy.organizations_for(owner.user)) == [org]
    assert list(policy.organizations_for(outsider.user)) == [other_org]


def _owned(persona, visibility, team=None):
    from types import SimpleNamespace

    return SimpleNamespace(
        organization_id=persona.org.pk,
        owner_id=persona.user.pk,
        visibility=visibility,
        team_id=team.pk if team else None,
    )


def test_private_content_is_seen_and_edited_only_by_its_owner(member, editor, owner):
    item = _owned(member, "private")
    assert policy.can_see(member.actor, item)
    assert policy.can_edit(member.actor, item)
    assert not policy.can_see(owner.actor, item)
    assert not policy.can_edit(editor.actor, item)


def test_team_content_is_seen_by_the_team_only(member, editor, viewer):
    from tests.factories import TeamFactory

    team = TeamFactory(organization=member.org)
    viewer.membership.teams.add(team)
    item = _owned(member, "team", team)
    assert policy.can_see(viewer.actor, item)
    assert not policy.can_see(editor.actor, item)


def test_shared_content_is_edited_by_editors_not_by_members_or_viewers(member, editor, viewer):
    item = _owned(editor, "org")
    assert policy.can_see(viewer.actor, item)
    assert not policy.can_edit(viewer.actor, item)
    other = _owned(member, "org")
    assert policy.can_edit(editor.actor, other)
    assert not policy.can_edit(member.actor, _owned(editor, "org"))


def test_a_viewer_cannot_edit_even_their_own(viewer):
    assert not policy.can_edit(viewer.actor, _owned(viewer, "private"))


def test_content_of_another_organisation_is_never_visible(owner, outsider):
    item = _owned(outsider, "org")
    assert not policy.can_see(owner.actor, item)
    with pytest.raises(NotFound):
        policy.require_edit(owner.actor, item)


@pytest.mark.parametrize(
    ("members", "member_sees", "admin_sees", "admin_sees_aggregate_only"),
    [
        (0, True, True, True),  # nothing to tell about anyone
        (1, False, True, False),
        (policy.MIN_GROUP - 1, False, True, False),
        (policy.MIN_GROUP, True, True, True),
    ],
)
def test_a_small_groups_figures_are_individual_figures(
    member, admin, members, member_sees, admin_sees, admin_sees_aggregate_only
):
    def sees(persona, hidden):
        return policy.can_view_group_figures(persona.actor, members, aggregate_only=hidden)

    assert sees(member, False) is member_sees
    assert sees(admin, False) is admin_sees
    assert sees(admin, True) is admin_sees_aggregate_only


@pytest.mark.parametrize(
    ("gap", "member_sees"),
    [
        (0, True),  # no larger group holds it
        (1, False),  # the larger group's figures minus these are one person's
        (policy.MIN_GROUP - 1, False),
        (policy.MIN_GROUP, True),
    ],
)
def test_a_group_a_few_people_short_of_a_larger_one_is_as_small(member, admin, gap, member_sees):
    members = policy.MIN_GROUP + 3
    assert (
        policy.can_view_group_figures(member.actor, members, aggregate_only=False, gap=gap)
        is member_sees
    )
    assert policy.can_view_group_figures(admin.actor, members, aggregate_only=False, gap=gap)
    assert (
        policy.can_view_group_figures(admin.actor, members, aggregate_only=True, gap=gap)
        is member_sees
    )
