from __future__ import annotations

from django import forms

from huddle.accounts.models import Role, Team


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


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Token name", help_text="Where you'll use it, e.g. 'laptop CLI'."
    )


class SignUpForm(forms.Form):
    name = forms.CharField(max_length=150, label="Your name")
    password = forms.CharField(widget=forms.PasswordInput, label="Choose a password")
