"""Usage import: runs recorded elsewhere, one JSON object per line (``huddle runs import``).

Each line is imported on its own: a bad line is reported with its number and reason and the
others still go in. A line's identity is organisation + user + started_at + workflow, so importing
the same file again adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from django.db import transaction

from huddle.accounts import services as account_services
from huddle.accounts.models import Membership, Organization, Role, User
from huddle.accounts.policy import Actor
from huddle.core.errors import HuddleError
from huddle.library.models import Workflow
from huddle.runs import services
from huddle.runs.models import Mode, Run
from huddle.runs.services import Figures, StepRecord

MAX_LINE_BYTES = 1_000_000
FIELDS = {"user", "workflow", "started_at", "minutes_spent", "baseline_minutes", "rating",
          "output", "final_text", "model"}  # fmt: skip


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    members_created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"imported": self.imported, "duplicates": self.duplicates, "errors": self.errors}


class LineError(Exception):
    pass


def runs_import(
    *,
    organization: Organization,
    lines: Iterable[bytes],
    create_members: bool = False,
    invite: bool = False,
    on_line: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import JSON lines into ``organization``; ``on_line(bytes_read)`` reports progress.

    ``create_members`` adds unknown people as members without a password; only with ``invite``
    is each of them e-mailed (an invitation carrying a link to choose a password): a historical
    usage file is no reason to write to people.
    """
    report = ImportReport()
    memberships: dict[str, Membership] = {}
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        if on_line:
            on_line(len(raw))
        if not raw.strip():
            continue
        try:
            data = _parse(raw)
            key = _identity(organization, data)
            if key in seen or Run.objects.filter(import_key=key).exists():
                report.duplicates += 1
                seen.add(key)
                continue
            membership = _membership(
                organization, data["user"], create_members, memberships, report, invite=invite
            )
            _import_line(membership, data, key)
            seen.add(key)
            report.imported += 1
        except LineError as error:
            report.errors.append({"line": number, "reason": str(error)})
        except HuddleError as error:
            report.errors.append({"line": number, "reason": error.message})
    return report


def lines_of(stream: IO[bytes]) -> Iterator[bytes]:
    """The lines of ``stream``, none held longer than ``MAX_LINE_BYTES`` + 1 bytes: the rest of a
    longer line is read and dropped, and the line is refused by ``runs_import`` for its length."""
    while line := stream.readline(MAX_LINE_BYTES + 1):
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
        yield line


def _parse(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_LINE_BYTES:
        raise LineError(f"the line is longer than {MAX_LINE_BYTES:,} bytes")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "not UTF-8"
        raise LineError(f"not valid JSON ({reason})") from None
    except ValueError:  # Python won't read an integer of more than 4,300 digits
        digits = sys.get_int_max_str_digits()
        raise LineError(f"not valid JSON (a number of more than {digits:,} digits)") from None
    if not isinstance(data, dict):
        raise LineError("each line must be a JSON object")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise LineError(f"unknown field(s): {', '.join(unknown)}")
    for name, value in data.items():
        # PostgreSQL's text can't hold NUL, and nothing a person wrote needs one.
        if isinstance(value, str) and "\x00" in value:
            raise LineError(f"'{name}' holds a NUL character (\\u0000), which can't be stored")
    if not isinstance(data.get("user"), str) or "@" not in data["user"]:
        raise LineError("'user' must be an email address")
    if data.get("workflow") is not None and not isinstance(data["workflow"], str):
        raise LineError("'workflow' must be a slug or null")
    started = data.get("started_at")
    if not isinstance(started, str):
        raise LineError("'started_at' must be an ISO-8601 date-time")
    try:
        moment = datetime.fromisoformat(started.replace("Z", "+00:00"))
    except ValueError:
        raise LineError(f"'started_at' is not an ISO-8601 date-time: {started!r}") from None
    data["started_at"] = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    for name in ("output", "final_text", "model"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise LineError(f"'{name}' must be a string or null")
    if not isinstance(data.get("output"), str):
        raise LineError("'output' must be a string")
    for name in ("minutes_spent", "baseline_minutes", "rating"):
        value = data.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise LineError(f"'{name}' must be a number or null")
        if isinstance(value, int) and value.bit_length() > 64:  # too large to be a float
            raise LineError(f"'{name}' is too large a number")
    if data.get("minutes_spent") is None:
        raise LineError("'minutes_spent' is required")
    if data.get("rating") is not None and data["rating"] not in (1, 2, 3, 4, 5):
        raise LineError("'rating' must be 1 to 5 or null")
    return data


def _identity(organization: Organization, data: dict[str, Any]) -> str:
    parts = [
        str(organization.pk),
        data["user"].strip().lower(),
        data["started_at"].astimezone(UTC).isoformat(),
        data.get("workflow") or "",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _membership(
    organization: Organization,
    email: str,
    create: bool,
    cache: dict[str, Membership],
    report: ImportReport,
    *,
    invite: bool = False,
) -> Membership:
    email = email.strip().lower()
    if email in cache:
        return cache[email]
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(organization=organization, user__email__iexact=email)
        .first()
    )
    if membership is None:
        if not create:
            raise LineError(f"unknown member {email} (use --create-members to add them)")
        if User.objects.filter(email__iexact=email).exists():
            # A line of a file is no reason to give someone else's account this organisation.
            raise LineError(
                f"{email} has a Huddle account but is not a member of {organization.slug}; "
                "add them with 'huddle user add' or invite them first"
            )
        with transaction.atomic():
            user = account_services.user_create(email=email, password=None)
            membership = account_services.membership_add(
                actor=None, organization=organization, user=user, role=Role.MEMBER
            )
            if invite:
                account_services.invitation_create(
                    actor=None,
                    organization=organization,
                    email=email,
                    role=Role.MEMBER,
                    allow_existing_member=True,
                )
        report.members_created += 1
    cache[email] = membership
    return membership


@transaction.atomic
def _import_line(membership: Membership, data: dict[str, Any], key: str) -> Run:
    actor = Actor(membership)
    workflow = None
    if data.get("workflow"):
        workflow = Workflow.objects.filter(
            organization=membership.organization, slug=data["workflow"]
        ).first()
        if workflow is None:
            raise LineError(f"unknown workflow '{data['workflow']}'")
    figures = Figures.from_data(
        {
            "minutes_spent": data.get("minutes_spent"),
            "baseline_minutes": data.get("baseline_minutes"),
            "rating": data.get("rating"),
        }
    )
    final_text = data.get("final_text")
    return services.run_record(
        actor=actor,
        workflow=workflow,
        version=None,
        inputs={},
        steps=[StepRecord(name="imported", prompt="", output=data["output"])],
        final_text=final_text if final_text is not None else "",
        figures=figures,
        mode=Mode.IMPORTED,
        model=data.get("model") or "",
        started_at=data["started_at"],
        import_key=key,
    )
