from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from django import forms
from django.contrib.auth.forms import PasswordResetForm

from huddle.accounts.models import Membership, Role, Team, User
from huddle.core import ratelimit


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=120, label="Organisation name")
    slug = forms.CharField(
        max_length=50,
        label="Short name (used in addresses)",
        help_text="Lowercase letters, digits and hyphens, e.g. acme-marketing.",
    )


class RenameOrganizationForm(forms.Form):
    name = forms.CharField(max_length=120, label="Organisation name")


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="Team")

    def __init__(self, *args: object, roles: list[Role], teams: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.fields["team"].queryset = teams
        self.fields["team"].empty_label = "No team"


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)


class TeamMembersForm(forms.Form):
    """The team's members, ticked by their membership's public id; none ticked empties it."""

    members = forms.ModelMultipleChoiceField(
        queryset=Membership.objects.none(), to_field_name="public_id", required=False
    )

    def __init__(self, *args: object, memberships: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = memberships


class InvitationActionForm(forms.Form):
    """What an invitation page's button asks for besides joining: mailing a password link."""

    action = forms.ChoiceField(
        choices=[("", "Join"), ("password_link", "E-mail me a link to choose my password")],
        required=False,
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Token name", help_text="Where you'll use it, e.g. 'laptop CLI'."
    )


class SignUpForm(forms.Form):
    name = forms.CharField(max_length=150, label="Your name")
    password = forms.CharField(widget=forms.PasswordInput, label="Choose a password")


class PasswordLinkForm(PasswordResetForm):
    """ "Forgot your password?" that also serves people who never had one.

    Django's form skips accounts without a usable password, but members added by a usage import
    or a restore have none, and a link mailed to their address is the only way they may get one
    (an invitation link never sets a password: whoever holds it is not proven to own the
    address). Inactive accounts still get nothing. At most ``LIMITS["password_link"]`` mails go
    to one address an hour, whoever presses the button; past that the page says the same and
    nothing is sent, so it neither spams an inbox nor tells whether the address has an account.
    """

    def get_users(self, email: str) -> Iterator[User]:
        # As Django does: the database's case folding is not Unicode's, so compare again.
        wanted = _folded(email)
        for user in User.objects.filter(email__iexact=email, is_active=True):
            if _folded(user.email) == wanted and _may_mail(user.email):
                yield user


def _may_mail(email: str) -> bool:
    try:
        ratelimit.hit("password_link", email.lower())
    except ratelimit.RateLimited:
        return False
    return True


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()
