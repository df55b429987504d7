from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from huddle.accounts import services
from huddle.accounts.models import ApiToken, Invitation, Membership, Role, User
from huddle.core.errors import HuddleError, NotFound, PermissionDenied, ValidationFailed
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_creator_of_an_organisation_becomes_its_owner():
    user = UserFactory()
    org = services.organization_create(creator=user, slug="northwind", name="Northwind")
    assert Membership.objects.get(organization=org, user=user).role == Role.OWNER


@pytest.mark.parametrize("slug", ["Has Space", "-dash", "UPPER!", ""])
def test_organisation_slug_must_be_clean(slug):
    with pytest.raises(ValidationFailed, match="not a valid slug"):
        services.organization_create(creator=None, slug=slug, name="X")


def test_organisation_slug_must_be_unique(org):
    with pytest.raises(ValidationFailed, match="taken"):
        services.organization_create(creator=None, slug=org.slug, name="Copy")


def test_user_create_rejects_weak_passwords_with_the_reason():
    with pytest.raises(ValidationFailed, match=r"too short|too common"):
        services.user_create(email="new@example.test", password="abc", name="")
    assert not User.objects.filter(email="new@example.test").exists()


def test_user_emails_are_case_insensitive_unique():
    services.user_create(email="Sam@Example.test", password=None)
    with pytest.raises(ValidationFailed, match="already an account"):
        services.user_create(email="sam@example.TEST", password=None)


def test_the_last_owner_cannot_be_demoted_or_removed(owner):
    with pytest.raises(HuddleError, match="at least one owner"):
        services.membership_set_role(actor=owner.actor, membership=owner.membership, role="admin")
    with pytest.raises(HuddleError, match="at least one owner"):
        services.membership_remove(actor=owner.actor, membership=owner.membership)


def test_an_owner_can_step_down_once_there_is_another(owner, admin):
    services.membership_set_role(actor=owner.actor, membership=admin.membership, role="owner")
    services.membership_set_role(actor=owner.actor, membership=owner.membership, role="member")
    owner.membership.refresh_from_db()
    assert owner.membership.role == Role.MEMBER


def test_member_cannot_change_roles(member, viewer):
    with pytest.raises(PermissionDenied):
        services.membership_set_role(actor=member.actor, membership=viewer.membership, role="admin")
    viewer.membership.refresh_from_db()
    assert viewer.membership.role == Role.VIEWER


def test_admin_cannot_promote_anyone_to_owner(admin, member):
    with pytest.raises(PermissionDenied):
        services.membership_set_role(actor=admin.actor, membership=member.membership, role="owner")


def test_unknown_role_is_refused_with_the_choices(owner, member):
    with pytest.raises(ValidationFailed, match="owner, admin, editor, member, viewer"):
        services.membership_set_role(actor=owner.actor, membership=member.membership, role="god")


def test_removing_a_member_revokes_their_tokens_for_that_organisation(owner, member):
    token, raw = services.token_create(actor=member.actor, name="laptop")
    services.membership_remove(actor=owner.actor, membership=member.membership)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.token_authenticate(raw) is None


def test_a_member_may_leave_on_their_own(member):
    services.membership_remove(actor=member.actor, membership=member.membership)
    assert not Membership.objects.filter(pk=member.membership.pk).exists()


def test_invitation_sends_a_link_by_email_after_commit(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, url = services.invitation_create(
            actor=admin.actor, organization=admin.org, email="new@example.test", role="editor"
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.test"]
    assert url in mail.outbox[0].body
    raw = url.rstrip("/").rsplit("/", 1)[1]
    assert raw not in Invitation.objects.values_list("token_hash", flat=True)
    assert invitation.role == Role.EDITOR


def test_accepting_an_invitation_joins_with_the_invited_role_and_team(admin):
    team = TeamFactory(organization=admin.org)
    _inv, url = services.invitation_create(
        actor=admin.actor,
        organization=admin.org,
        email="new@example.test",
        role="viewer",
        team=team,
    )
    user = services.user_create(email="new@example.test", password=None)
    membership = services.invitation_accept(raw_token=url.rstrip("/").rsplit("/", 1)[1], user=user)
    assert membership.role == Role.VIEWER
    assert list(membership.teams.all()) == [team]


def test_an_invitation_works_only_once(admin):
    _inv, url = services.invitation_create(
        actor=admin.actor, organization=admin.org, email="new@example.test", role="member"
    )
    raw = url.rstrip("/").rsplit("/", 1)[1]
    user = services.user_create(email="new@example.test", password=None)
    services.invitation_accept(raw_token=raw, user=user)
    with pytest.raises(NotFound):
        services.invitation_accept(raw_token=raw, user=user)


def test_an_invitation_is_only_for_the_invited_address(admin, outsider):
    _inv, url = services.invitation_create(
        actor=admin.actor, organization=admin.org, email="new@example.test", role="member"
    )
    with pytest.raises(PermissionDenied, match=r"This invitation is for new@example\.test"):
        services.invitation_accept(raw_token=url.rstrip("/").rsplit("/", 1)[1], user=outsider.user)
    assert not Membership.objects.filter(user=outsider.user, organization=admin.org).exists()


def test_expired_and_revoked_invitations_do_not_work(admin):
    inv, url = services.invitation_create(
        actor=admin.actor, organization=admin.org, email="late@example.test", role="member"
    )
    raw = url.rstrip("/").rsplit("/", 1)[1]
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(NotFound):
        services.invitation_lookup(raw)
    inv2, url2 = services.invitation_create(
        actor=admin.actor, organization=admin.org, email="late@example.test", role="member"
    )
    services.invitation_revoke(actor=admin.actor, invitation=inv2)
    with pytest.raises(NotFound):
        services.invitation_lookup(url2.rstrip("/").rsplit("/", 1)[1])


def test_inviting_an_existing_member_is_refused(admin, member):
    with pytest.raises(ValidationFailed, match="already a member"):
        services.invitation_create(
            actor=admin.actor, organization=admin.org, email=member.user.email, role="member"
        )


def test_inviting_into_a_team_of_another_organisation_is_not_found(admin, other_org):
    foreign_team = TeamFactory(organization=other_org)
    with pytest.raises(NotFound):
        services.invitation_create(
            actor=admin.actor,
            organization=admin.org,
            email="x@example.test",
            role="member",
            team=foreign_team,
        )


def test_token_is_stored_only_as_a_hash(member):
    token, raw = services.token_create(actor=member.actor, name="ci")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith("hud_")
    assert raw not in (stored.token_hash, stored.prefix, stored.name)
    assert raw[: len(stored.prefix)] == stored.prefix
    assert len(stored.token_hash) == 64


def test_token_authenticate_records_last_use_at_most_once_a_minute(member):
    token, raw = services.token_create(actor=member.actor, name="ci")
    actor = services.token_authenticate(raw)
    assert actor.membership == member.membership
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    services.token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == first


def test_a_token_of_a_member_of_two_organisations_acts_in_its_own_one_query(
    member, other_org, django_assert_num_queries
):
    from tests.factories import MembershipFactory

    MembershipFactory(organization=other_org, user=member.user, role=Role.OWNER)
    _token, raw = services.token_create(actor=member.actor, name="ci")
    with django_assert_num_queries(2):  # the member through the token, and the last-used time
        actor = services.token_authenticate(raw)
    assert (actor.organization, actor.role) == (member.org, Role.MEMBER)
    with django_assert_num_queries(1):
        assert services.token_authenticate(raw).organization == member.org
    Membership.objects.filter(organization=member.org, user=member.user).delete()
    assert services.token_authenticate(raw) is None  # not the owner in the other organisation


def test_revoked_token_does_not_authenticate(member):
    token, raw = services.token_create(actor=member.actor, name="ci")
    services.token_revoke(actor=member.actor, token=token)
    assert services.token_authenticate(raw) is None


def test_a_member_cannot_revoke_someone_elses_token(member, editor):
    token, _raw = services.token_create(actor=editor.actor, name="ci")
    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=member.actor, token=token)


def test_a_token_whose_secret_collides_is_refused_and_nothing_is_stored(member, monkeypatch):
    from huddle.accounts import tokens

    services.token_create(actor=member.actor, name="first")
    monkeypatch.setattr(tokens, "new_secret", lambda kind: (f"{kind}_same", f"{kind}_same"))
    services.token_create(actor=member.actor, name="second")
    with pytest.raises(HuddleError, match="Could not create a token; try again"):
        services.token_create(actor=member.actor, name="third")
    assert list(ApiToken.objects.order_by("pk").values_list("name", flat=True)) == [
        "first",
        "second",
    ]
