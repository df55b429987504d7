"""Where a person sits in the company (``MemberAttributes``), written by provisioning and by
sign-in."""

from __future__ import annotations

from huddle.accounts.models import Organization, User
from huddle.sso.models import (
    MemberAttributes,
)


def member_attributes_set(
    *, organization: Organization, user: User, attributes: dict[str, str], complete: bool
) -> list[str]:
    """Store where the person sits in the company (``MemberAttributes.FIELDS``); returns the
    names of the fields that changed. ``complete``: the provider sent the whole person (SCIM), so
    a missing field is cleared; otherwise (a sign-in's assertion) only the fields given, non-empty,
    are written. Values are trimmed to the column's 255 characters. Records no event: the caller's
    event (``scim.user_*``, ``sso.signed_in``) says what happened."""
    wanted = {
        name: str(attributes.get(name) or "").strip()[:255] for name in MemberAttributes.FIELDS
    }
    if not complete:
        wanted = {name: value for name, value in wanted.items() if value}
    row = MemberAttributes.objects.filter(organization=organization, user=user).first()
    if row is None:
        if not any(wanted.values()):
            return []
        row = MemberAttributes(organization=organization, user=user)
    changed = [name for name, value in wanted.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, wanted[name])
        row.save()
    return changed
