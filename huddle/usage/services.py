"""Importing a usage report: parse it whole, match people by e-mail, write its weeks in batches.

``usage_import`` is the one path behind the CLI, the upload page's worker task and the API.
Nothing is written before the whole file has been read: an unknown shape, a missing column, a
bad value, a file that is not UTF-8 or one over the row cap is refused with the reason and no
activity is kept (the ``UsageImport`` row records the refusal). The weeks are then written in
short transactions of ``BATCH`` rows (SQLite holds one writer at a time; a 1M-row report would
otherwise block every other write for seconds). Every write is an upsert of what the file says,
merged with what is stored by the rule of its kind (``models``), so importing the same report
twice stores the same figures, and an import stopped midway is finished by importing it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import Membership, Organization, Role, User
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import ValidationFailed
from huddle.core.services import event_record
from huddle.usage import formats
from huddle.usage.formats import SNAPSHOT, WEEKLY, Cell, Parsed
from huddle.usage.models import ImportStatus, ReportSource, UsageImport, UsageWeek

BATCH = 5_000
UNKNOWN_LISTED = 200  # unknown people named in the report (all are counted)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _problem_text(error: ValidationFailed) -> str:
    lines = [m for ms in error.fields.values() for m in ms]
    return error.message + ("\n" + "\n".join(lines) if lines else "")


def usage_import(
    *,
    actor: Actor | None,
    organization: Organization,
    source: str,
    stream: IO[bytes],
    file_name: str = "",
    total_bytes: int = 0,
    create_members: bool = False,
    max_rows: int | None = None,
    on_progress: Progress | None = None,
    record: UsageImport | None = None,
) -> UsageImport:
    """Import one usage report into ``organization``; returns its ``UsageImport`` (done).

    ``actor`` None is the operator on the host (the CLI); a member needs ``MANAGE_MEMBERS``.
    People are matched by e-mail among the organisation's members; the others are listed in
    the report, or added as members when ``create_members``. Raises ``ValidationFailed`` for a
    refused file (nothing written; ``record`` says why) and ``PermissionDenied``.
    """
    if actor is not None:
        policy.require(actor, Action.MANAGE_MEMBERS)
    if source not in ReportSource.values:
        raise ValidationFailed(
            f"Unknown report source {source!r}: use chatgpt, claude, copilot or generic.",
            fields={"source": ["Choose chatgpt, claude, copilot or generic."]},
        )
    if record is None:
        record = UsageImport.objects.create(
            organization=organization,
            created_by=actor.user if actor is not None else None,
            source=source,
            file_name=file_name[:255],
            create_members=create_members,
        )
    UsageImport.objects.filter(pk=record.pk).update(status=ImportStatus.WRITING)
    record.status = ImportStatus.WRITING

    def reading(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress("read", done, total)

    try:
        parsed = formats.parse(
            stream, source, max_rows=max_rows, total_bytes=total_bytes, on_progress=reading
        )
    except ValidationFailed as error:
        _finish(record, ImportStatus.REFUSED, error=_problem_text(error))
        raise
    users, unknown, created = _match(
        actor=actor, organization=organization, parsed=parsed, create=create_members
    )
    try:
        written = _write(organization, parsed, users, record, on_progress)
    except BaseException as error:
        # The batches already written hold the file's own figures (upserts): importing the
        # file again finishes the job. Say so rather than leave the row "writing".
        _finish(
            record,
            ImportStatus.FAILED,
            error=f"Stopped while writing ({type(error).__name__}); import the file again.",
        )
        raise
    record.rows_read = parsed.rows
    record.weeks_written = written
    record.report = {
        "rows": parsed.rows,
        "weeks": written,
        "people": len(parsed.people),
        "matched": len(parsed.people) - len(unknown),
        "created": created,
        "unknown_count": len(unknown),
        "unknown": sorted(unknown)[:UNKNOWN_LISTED],
        "first_day": parsed.first_day.isoformat() if parsed.first_day else None,
        "last_day": parsed.last_day.isoformat() if parsed.last_day else None,
        "other_tools": parsed.skipped_tools,
    }
    _finish(record, ImportStatus.DONE)
    event_record(
        organization=organization,
        actor=actor.user if actor is not None else None,
        kind="usage.imported",
        target=record,
        label=record.file_name or source,
        data={k: v for k, v in record.report.items() if k != "unknown"},
    )
    return record


def _finish(record: UsageImport, status: str, *, error: str = "") -> None:
    record.status = status
    record.error = error
    record.finished_at = timezone.now()
    if record.file:
        record.file.delete(save=False)  # the upload is read: it is not kept
    record.save()


@transaction.atomic
def _match(
    *, actor: Actor | None, organization: Organization, parsed: Parsed, create: bool
) -> tuple[dict[str, int], set[str], int]:
    """{e-mail: user id} of the people named who are (or, with ``create``, become) members;
    the e-mails left unknown; how many members were added."""
    from huddle.accounts.services import membership_add

    known = {
        email.lower(): user_id
        for email, user_id in Membership.objects.filter(organization=organization).values_list(
            "user__email", "user_id"
        )
    }
    users = {e: known[e] for e in parsed.people if e in known}
    unknown = parsed.people - users.keys()
    created = 0
    if create and unknown:
        existing = {u.email.lower(): u for u in User.objects.filter(email__in=sorted(unknown))}
        for email in sorted(unknown):
            user = existing.get(email) or User.objects.create_user(email=email, password=None)
            membership_add(actor=None, organization=organization, user=user, role=Role.MEMBER)
            users[email] = user.pk
            created += 1
        unknown = set()
    return users, unknown, created


def _merge(kind: str, cell: Cell, stored: UsageWeek | None) -> dict[str, Any]:
    """The row's new figures: the file's, merged with the stored ones by the rule of its kind."""
    if kind == WEEKLY:
        mask = cell.mask
        return {"messages": cell.messages, "minutes": 0.0, "mask": mask, "dm": [], "dmin": []}
    if kind == SNAPSHOT:
        mask = cell.mask | (stored.day_mask if stored is not None else 0)
        return {"messages": 0, "minutes": 0.0, "mask": mask, "dm": [], "dmin": []}
    day_messages, day_minutes, mask = list(cell.day_messages), list(cell.day_minutes), cell.mask
    if stored is not None and len(stored.day_messages) == 7:
        for day in range(7):
            if not cell.present & (1 << day):  # a day this file is silent about: kept
                day_messages[day] = stored.day_messages[day]
                day_minutes[day] = stored.day_minutes[day]
                mask |= stored.day_mask & (1 << day)
    return {
        "messages": sum(day_messages),
        "minutes": round(sum(day_minutes), 2),
        "mask": mask,
        "dm": day_messages,
        "dmin": [round(m, 2) for m in day_minutes],
    }


def _stored(
    organization: Organization, parsed: Parsed, tools: set[str]
) -> dict[tuple[int, date, str], UsageWeek]:
    """The stored weeks the file may merge with (daily and snapshot kinds only)."""
    if parsed.kind == WEEKLY or parsed.first_day is None or parsed.last_day is None:
        return {}
    first = parsed.first_day - timedelta(days=parsed.first_day.weekday())
    rows = UsageWeek.objects.filter(
        organization=organization,
        week_start__gte=first,
        week_start__lte=parsed.last_day,
        tool__in=sorted(tools),
    ).only("user_id", "week_start", "tool", "day_mask", "day_messages", "day_minutes")
    return {(w.user_id, w.week_start, w.tool): w for w in rows.iterator(chunk_size=5000)}


def _write(
    organization: Organization,
    parsed: Parsed,
    users: dict[str, int],
    record: UsageImport,
    on_progress: Progress | None,
) -> int:
    tools = {key[2] for key in parsed.cells}
    stored = _stored(organization, parsed, tools)
    keys = [k for k in parsed.cells if k[0] in users]
    total = len(keys)
    written = 0
    fields = ["messages", "active_minutes", "active_days", "day_mask", "day_messages"]
    fields += ["day_minutes", "last_import"]
    for start in range(0, total, BATCH):
        rows = []
        for email, week, tool in keys[start : start + BATCH]:
            user_id = users[email]
            figures = _merge(
                parsed.kind, parsed.cells[(email, week, tool)], stored.get((user_id, week, tool))
            )
            rows.append(
                UsageWeek(
                    organization=organization,
                    user_id=user_id,
                    week_start=week,
                    tool=tool,
                    messages=figures["messages"],
                    active_minutes=figures["minutes"],
                    active_days=figures["mask"].bit_count(),
                    day_mask=figures["mask"],
                    day_messages=figures["dm"],
                    day_minutes=figures["dmin"],
                    last_import=record,
                )
            )
        with transaction.atomic():
            UsageWeek.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["organization", "user", "week_start", "tool"],
                update_fields=fields,
            )
        written += len(rows)
        if on_progress is not None:
            on_progress("write", written, total)
    return written


def upload_queue(
    *, actor: Actor, source: str, upload: Any, create_members: bool = False
) -> UsageImport:
    """Store an uploaded report and queue its import for the worker (``tasks``).

    The first line is checked now, so a wrong format or a missing column is refused at once
    (``ValidationFailed`` naming the field); the rest is read by the worker, under the upload
    row cap ``HUDDLE_USAGE_UPLOAD_MAX_ROWS``.
    """
    import uuid

    from huddle.usage.tasks import run_usage_import

    policy.require(actor, Action.MANAGE_MEMBERS)
    problems: dict[str, list[str]] = {}
    if source not in ReportSource.values:
        problems["source"] = ["Choose chatgpt, claude, copilot or generic."]
    if upload is None or not upload.size:
        problems["file"] = ["Choose the report's .csv file."]
    if problems:
        raise ValidationFailed("The import can't start; see the fields.", fields=problems)
    formats.check_header(upload, source)
    record = UsageImport(
        organization=actor.organization,
        created_by=actor.user,
        source=source,
        file_name=(upload.name or "report.csv").rsplit("/", 1)[-1][:200],
        create_members=create_members,
    )
    record.file.save(f"{uuid.uuid4().hex}.csv", upload, save=False)  # before the transaction
    try:
        with transaction.atomic():
            record.save()
            # The queue is a table of the same database: the task row commits with the import's.
            run_usage_import.enqueue(record.pk)
    except BaseException:
        record.file.delete(save=False)
        raise
    return record


def upload_run(import_id: int) -> None:
    """The worker's side of ``upload_queue``: import the stored file (a refusal is recorded on
    the import, not raised: the task succeeded in telling the admin why)."""
    from django.conf import settings

    record = UsageImport.objects.select_related("organization", "created_by").get(pk=import_id)
    if record.finished or not record.file:
        return
    membership = Membership.objects.filter(
        organization=record.organization, user=record.created_by
    ).first()
    actor = Actor(membership) if membership is not None else None
    if actor is None or not actor.can(Action.MANAGE_MEMBERS):
        _finish(record, ImportStatus.REFUSED, error="The person who uploaded it is no admin now.")
        return
    with record.file.open("rb") as stream:
        try:
            usage_import(
                actor=actor,
                organization=record.organization,
                source=record.source,
                stream=stream,
                file_name=record.file_name,
                total_bytes=record.file.size,
                create_members=record.create_members,
                max_rows=settings.HUDDLE_USAGE_UPLOAD_MAX_ROWS,
                record=record,
            )
        except ValidationFailed:
            return  # recorded on the import
