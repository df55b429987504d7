"""An invitation for someone who already has an account without a password (added by a usage
import or a restore): the page never offers a password; a link mailed to them does."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from huddle.accounts import services
from huddle.accounts.models import Membership, Role, User
from huddle.accounts.policy import Actor
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PAT = "pat@acme.test"
RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/\S+/)")


def test_a_passwordless_person_chooses_a_password_from_the_mail_signs_in_and_accepts(
    page: Page, live_server
):
    acme = OrganizationFactory(slug="acme", name="Acme Marketing")
    globex = OrganizationFactory(slug="globex", name="Globex Agency")
    pat = User(email=PAT, name="Pat Restored")
    pat.set_unusable_password()
    pat.save()
    MembershipFactory(organization=acme, user=pat, role=Role.OWNER)
    inviter = MembershipFactory(organization=globex, user=UserFactory(), role=Role.OWNER)
    _invitation, url = services.invitation_create(
        actor=Actor(inviter),
        organization=globex,
        email=PAT,
        role="editor",
        base_url=live_server.url,
    )
    (invitation_mail,) = mail.outbox
    assert invitation_mail.to == [PAT]
    assert RESET_LINK.search(invitation_mail.body), "the invitation mail offers a password link"

    # Whoever opens the link is asked to sign in as Pat, and never offered a password form.
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Globex Agency")
    expect(page.get_by_role("link", name=f"Sign in as {PAT} to accept")).to_be_visible()
    expect(page.locator("input[type=password]")).to_have_count(0)
    page.get_by_role("button", name="E-mail me a link to choose my password").click()
    expect(page.get_by_role("status")).to_contain_text(f"We sent a link to {PAT}")
    expect(page.locator("input[type=password]")).to_have_count(0)

    # Pat opens the link from the mail and chooses a password.
    assert [m.to for m in mail.outbox] == [[PAT], [PAT]]
    page.goto(live_server.url + RESET_LINK.search(mail.outbox[-1].body)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill("pats-own-long-passphrase")
    page.get_by_label("New password confirmation").fill("pats-own-long-passphrase")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password saved")

    # Then signs in from the invitation and accepts.
    page.goto(url)
    page.get_by_role("link", name=f"Sign in as {PAT} to accept").click()
    page.get_by_label("Email").fill(PAT)
    page.get_by_label("Password").fill("pats-own-long-passphrase")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Join Globex Agency").click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome to Globex Agency")
    assert Membership.objects.get(organization=globex, user=pat).role == "editor"
