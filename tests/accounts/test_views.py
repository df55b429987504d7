"""Pages over HTTP: every page and form, for every role, and for outsiders (404) and anonymous."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from huddle.accounts import services
from huddle.accounts.models import ApiToken, Invitation, Membership, Role, Team
from huddle.core.models import Event
from tests.factories import PASSWORD, TeamFactory

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "editor", "member", "viewer"]


def expected(allowed_roles: set[str], who: str) -> int:
    if who == "outsider":
        return 404
    return 200 if who in allowed_roles else 403


@pytest.mark.parametrize("who", [*ROLES, "outsider"])
@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/o/acme/", set(ROLES)),
        ("/o/acme/members/", set(ROLES)),
        ("/o/acme/teams/", set(ROLES)),
        ("/o/acme/settings/", set(ROLES)),
        ("/o/acme/settings/tokens/", set(ROLES)),
        ("/o/acme/activity/", {"owner", "admin"}),
    ],
)
def test_pages_answer_by_role_and_hide_the_organisation_from_outsiders(
    personas, login, who, path, allowed
):
    response = login(personas[who]).get(path)
    assert response.status_code == expected(allowed, who)
    if who == "outsider":
        assert b"Acme" not in response.content


@pytest.mark.parametrize("path", ["/o/acme/", "/o/acme/members/", "/o/acme/activity/"])
def test_anonymous_visitors_are_sent_to_log_in(org, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_team_page_of_another_organisation_is_not_found(owner, outsider, login):
    foreign = TeamFactory(organization=outsider.org)
    assert login(owner).get(f"/o/acme/teams/{foreign.public_id}/").status_code == 404
    assert login(owner).get(f"/o/globex/teams/{foreign.public_id}/").status_code == 404


def test_home_goes_to_the_users_organisation(owner, login):
    response = login(owner).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"


def test_home_without_an_organisation_offers_to_create_one(db, login):
    from tests.factories import UserFactory

    client = login(UserFactory())
    response = client.get("/", follow=True)
    assert b"Create an organisation" in response.content
    response = client.post("/orgs/new/", {"name": "Initech", "slug": "initech"}, follow=True)
    assert response.redirect_chain[-1][0] == "/o/initech/members/"
    assert Membership.objects.get(organization__slug="initech").role == Role.OWNER


def test_creating_an_organisation_with_a_taken_slug_keeps_the_form(owner, login):
    response = login(owner).post("/orgs/new/", {"name": "Again", "slug": "acme"})
    assert response.status_code == 200
    assert b"Already taken" in response.content


@pytest.mark.parametrize("who", [*ROLES, "outsider"])
def test_inviting_needs_admin(personas, login, who, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(personas[who]).post(
            "/o/acme/members/", {"email": "new@example.test", "role": "member"}
        )
    assert response.status_code == expected({"owner", "admin"}, who)
    sent = Invitation.objects.filter(email="new@example.test").exists()
    assert sent is (who in {"owner", "admin"})
    assert len(mail.outbox) == (1 if sent else 0)


def test_invite_page_shows_the_link_and_lists_the_pending_invitation(admin, login):
    response = login(admin).post(
        "/o/acme/members/", {"email": "new@example.test", "role": "editor"}
    )
    assert b"/invite/inv_" in response.content
    assert b"new@example.test" in response.content


def test_invite_form_error_is_shown_next_to_the_field(admin, member, login):
    response = login(admin).post("/o/acme/members/", {"email": member.user.email, "role": "member"})
    assert response.status_code == 200
    assert b"Already a member." in response.content


def test_admin_cannot_offer_the_owner_role(admin, login):
    response = login(admin).post("/o/acme/members/", {"email": "x@example.test", "role": "owner"})
    assert b"Select a valid choice" in response.content
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("who", [*ROLES, "outsider"])
def test_changing_a_role_needs_admin(personas, login, who):
    target = personas["viewer"].membership
    response = login(personas[who]).post(
        f"/o/acme/members/{target.public_id}/role/", {"role": "editor"}
    )
    target.refresh_from_db()
    if who in {"owner", "admin"}:
        assert response.status_code == 302
        assert target.role == Role.EDITOR
    else:
        assert response.status_code == expected(set(), who)
        assert target.role == Role.VIEWER


def test_role_change_over_htmx_returns_the_updated_row(admin, member, login):
    response = login(admin).post(
        f"/o/acme/members/{member.membership.public_id}/role/",
        {"role": "editor"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'id="member-{member.membership.public_id}"'.encode() in response.content
    assert b'value="editor" selected' in response.content


def test_demoting_the_last_owner_shows_why_and_changes_nothing(owner, login):
    client = login(owner)
    response = client.post(
        f"/o/acme/members/{owner.membership.public_id}/role/",
        {"role": "member"},
        headers={"referer": "http://testserver/o/acme/members/"},
        follow=True,
    )
    assert b"needs at least one owner" in response.content
    owner.membership.refresh_from_db()
    assert owner.membership.role == Role.OWNER


def test_removing_a_member(owner, member, login):
    response = login(owner).post(f"/o/acme/members/{member.membership.public_id}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.membership.pk).exists()


def test_a_member_cannot_remove_someone_else(member, editor, login):
    response = login(member).post(f"/o/acme/members/{editor.membership.public_id}/remove/")
    assert response.status_code == 403
    assert Membership.objects.filter(pk=editor.membership.pk).exists()


def test_outsider_cannot_remove_by_guessing_ids(outsider, member, login):
    for slug in ("acme", "globex"):
        response = login(outsider).post(f"/o/{slug}/members/{member.membership.public_id}/remove/")
        assert response.status_code == 404
    assert Membership.objects.filter(pk=member.membership.pk).exists()


def test_revoking_an_invitation(admin, login):
    inv, _url = services.invitation_create(
        actor=admin.actor, organization=admin.org, email="x@example.test", role="member"
    )
    response = login(admin).post(f"/o/acme/invitations/{inv.public_id}/revoke/")
    assert response.status_code == 302
    inv.refresh_from_db()
    assert inv.revoked_at is not None


@pytest.mark.parametrize("who", [*ROLES, "outsider"])
def test_creating_a_team_needs_admin(personas, login, who):
    response = login(personas[who]).post("/o/acme/teams/", {"name": "Brand"})
    created = Team.objects.filter(name="Brand").exists()
    assert created is (who in {"owner", "admin"})
    assert response.status_code == (302 if created else expected(set(), who))


def test_setting_team_members(admin, member, editor, login):
    team = TeamFactory(organization=admin.org)
    response = login(admin).post(
        f"/o/acme/teams/{team.public_id}/", {"members": [str(member.membership.public_id)]}
    )
    assert response.status_code == 302
    assert list(team.memberships.all()) == [member.membership]


def test_team_members_from_another_organisation_are_refused_and_nothing_changes(
    admin, member, outsider, login
):
    team = TeamFactory(organization=admin.org)
    member.membership.teams.add(team)
    page = f"/o/acme/teams/{team.public_id}/"
    response = login(admin).post(
        page,
        {"members": [str(member.membership.public_id), str(outsider.membership.public_id)]},
        headers={"referer": page},
        follow=True,
    )
    assert list(team.memberships.all()) == [member.membership]
    assert (
        f"Choose members of the organisation. Members: Select a valid choice. "
        f"{outsider.membership.public_id} is not one of the available choices."
    ) in response.content.decode()


def test_a_team_member_that_is_not_an_id_is_named_and_nothing_changes(admin, member, login):
    team = TeamFactory(organization=admin.org)
    member.membership.teams.add(team)
    response = login(admin).post(
        f"/o/acme/teams/{team.public_id}/", {"members": ["not-an-id"]}, follow=True
    )
    assert list(team.memberships.all()) == [member.membership]
    assert "Members: “not-an-id” is not a valid value." in response.content.decode()


def test_unticking_every_member_empties_the_team(admin, member, login):
    team = TeamFactory(organization=admin.org)
    member.membership.teams.add(team)
    response = login(admin).post(f"/o/acme/teams/{team.public_id}/", {})
    assert response.status_code == 302
    assert team.memberships.count() == 0


def test_deleting_a_team_keeps_its_members(admin, member, login):
    team = TeamFactory(organization=admin.org)
    member.membership.teams.add(team)
    response = login(admin).post(f"/o/acme/teams/{team.public_id}/delete/")
    assert response.status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()
    assert Membership.objects.filter(pk=member.membership.pk).exists()


def test_only_owners_rename_the_organisation(owner, admin, login):
    assert login(admin).post("/o/acme/settings/", {"name": "Nope"}).status_code == 403
    assert login(owner).post("/o/acme/settings/", {"name": "Acme Global"}).status_code == 302
    owner.org.refresh_from_db()
    assert owner.org.name == "Acme Global"


def test_token_page_shows_a_new_token_once(viewer, login):
    client = login(viewer)
    response = client.post("/o/acme/settings/tokens/", {"name": "laptop"})
    assert response["Cache-Control"] == "no-store"
    raw = re.search(rb'value="(hud_[^"]+)"', response.content).group(1).decode()
    assert ApiToken.objects.filter(user=viewer.user).count() == 1
    again = client.get("/o/acme/settings/tokens/")
    assert raw.encode() not in again.content
    assert b"laptop" in again.content


def test_revoking_a_token_from_the_page(member, login):
    token, _raw = services.token_create(actor=member.actor, name="old")
    response = login(member).post(f"/o/acme/settings/tokens/{token.public_id}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_cannot_be_revoked_from_the_page(member, editor, login):
    token, _raw = services.token_create(actor=editor.actor, name="theirs")
    response = login(member).post(f"/o/acme/settings/tokens/{token.public_id}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_activity_log_filters_by_member_kind_and_date(owner, admin, member, login):
    services.team_create(actor=owner.actor, organization=owner.org, name="Social")
    services.token_create(actor=member.actor, name="x")
    client = login(admin)
    by_kind = client.get("/o/acme/activity/", {"kind": "team.created"})
    assert b"Social" in by_kind.content
    assert b"token.created</code>" not in by_kind.content
    by_member = client.get("/o/acme/activity/", {"member": str(member.user.public_id)})
    assert b"token.created</code>" in by_member.content
    assert b"team.created</code>" not in by_member.content
    future = client.get("/o/acme/activity/", {"since": "2999-01-01"})
    assert b"Nothing matches" in future.content


def test_activity_log_explains_a_bad_filter_instead_of_failing(admin, login):
    response = login(admin).get("/o/acme/activity/", {"since": "yesterday", "member": "zzz"})
    assert response.status_code == 200
    assert b"is not a date" in response.content
    assert b"Unknown member" in response.content


def test_activity_log_never_shows_another_organisations_events(owner, outsider, login):
    services.team_create(actor=outsider.actor, organization=outsider.org, name="Secret Squad")
    response = login(owner).get("/o/acme/activity/")
    assert b"Secret Squad" not in response.content
    assert Event.objects.filter(organization=outsider.org, kind="team.created").exists()


class TestInvitationLink:
    def _invite(self, admin, email="new@example.test", role="member"):
        _inv, url = services.invitation_create(
            actor=admin.actor, organization=admin.org, email=email, role=role
        )
        return url.replace("http://127.0.0.1:8000", "")

    def test_a_new_person_signs_up_and_joins(self, admin):
        path = self._invite(admin)
        client = Client()
        assert b"Create your account" in client.get(path).content
        response = client.post(path, {"name": "Nia New", "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == "/o/acme/"
        assert Membership.objects.filter(user__email="new@example.test", role="member").exists()

    def test_a_weak_password_keeps_the_form_and_creates_nothing(self, admin):
        path = self._invite(admin)
        response = Client().post(path, {"name": "Nia", "password": "123"})
        assert response.status_code == 200
        assert b"too short" in response.content
        assert not Membership.objects.filter(user__email="new@example.test").exists()

    def test_an_existing_person_is_asked_to_log_in_first(self, admin, outsider, login):
        path = self._invite(admin, email=outsider.user.email)
        assert b"Sign in as outsider@globex.test to accept" in Client().get(path).content
        response = login(outsider).post(path, follow=True)
        assert response.redirect_chain[-1][0] == "/o/acme/"

    def test_someone_else_logged_in_is_told_and_not_joined(self, admin, outsider, login):
        path = self._invite(admin)
        response = login(outsider).post(path)
        assert b"This invitation is for new@example.test" in response.content
        assert not Membership.objects.filter(user=outsider.user, organization=admin.org).exists()

    def test_a_bad_link_is_a_clear_404(self, db):
        response = Client().get("/invite/inv_nonsense/")
        assert response.status_code == 404
        assert b"not valid any more" in response.content


class TestAuthentication:
    def test_login_by_email_and_password(self, member):
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": "MEMBER@acme.test", "password": PASSWORD}
        )
        assert response.status_code == 302
        assert client.get("/o/acme/").status_code == 200

    def test_wrong_password_says_so_without_saying_which(self, member):
        response = Client().post(
            "/accounts/login/", {"username": member.user.email, "password": "wrong"}
        )
        assert b"don't match an account" in response.content

    def test_logout_ends_the_session(self, member, login):
        client = login(member)
        client.post("/accounts/logout/")
        assert client.get("/o/acme/").status_code == 302

    def test_password_change(self, member, login):
        client = login(member)
        response = client.post(
            "/accounts/password_change/",
            {
                "old_password": PASSWORD,
                "new_password1": "a-much-better-passphrase",
                "new_password2": "a-much-better-passphrase",
            },
        )
        assert response.status_code == 302
        assert Client().login(username=member.user.email, password="a-much-better-passphrase")

    def test_password_reset_sends_a_working_link(self, member):
        client = Client()
        client.post("/accounts/password_reset/", {"email": member.user.email})
        assert len(mail.outbox) == 1
        link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
        form_page = client.get(link, follow=True)
        assert b"Choose a new password" in form_page.content
        client.post(
            form_page.redirect_chain[-1][0],
            {"new_password1": "fresh-start-passphrase", "new_password2": "fresh-start-passphrase"},
        )
        assert Client().login(username=member.user.email, password="fresh-start-passphrase")

    def test_password_reset_for_an_unknown_email_reveals_nothing(self, db):
        response = Client().post(
            "/accounts/password_reset/", {"email": "nobody@example.test"}, follow=True
        )
        assert b"If an account uses that address" in response.content
        assert len(mail.outbox) == 0
