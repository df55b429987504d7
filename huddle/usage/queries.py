"""Reading usage imports: only the organisation's, only for those who may import."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from huddle.accounts import policy
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import NotFound
from huddle.usage.models import UsageImport


def imports_for(actor: Actor) -> QuerySet[UsageImport]:
    policy.require(actor, Action.MANAGE_MEMBERS)
    return UsageImport.objects.filter(organization=actor.organization)


def get_import(actor: Actor, public_id: Any) -> UsageImport:
    """One import of the actor's organisation; ``NotFound`` for any other (or a bad id), looked
    up before the role is checked so another organisation's import is never told apart from
    none; ``PermissionDenied`` for a member of this one who is no admin."""
    try:
        record = UsageImport.objects.get(organization=actor.organization, public_id=public_id)
    except (UsageImport.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such usage import.") from None
    policy.require(actor, Action.MANAGE_MEMBERS)
    return record


def import_data(record: UsageImport) -> dict[str, Any]:
    """The CLI and API shape of an import."""
    return {
        "id": str(record.public_id),
        "source": record.source,
        "status": record.status,
        "file_name": record.file_name,
        "rows": record.rows_read,
        "weeks": record.weeks_written,
        "report": record.report,
        "error": record.error,
        "created_at": record.created_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
    }
