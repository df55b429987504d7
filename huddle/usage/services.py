"""Importing a usage report: parse it whole, match people by e-mail, write its weeks in batches.

``usage_import`` is the one path behind the CLI, the upload page's worker task and the API.
Nothing is written before the whole file has been read: an unknown shape, a missing column, a
bad value, a file that is not UTF-8 or one over the row cap is refused with the reason and no
activity is kept (the ``UsageImport`` row records the refusal). The weeks are then written in
short transactions of ``BATCH`` rows (SQLite holds one writer at a time; a 1M-row report would
otherwise block every other write for seconds). Every write is an upsert of what the file says,
merged with what is stored by the rule of its kind (``models``), so importing the same report
twice stores the same figures, and an import stopped midway is finished by importing it again.

An import holds a lease (``core.jobs``): its heartbeat is renewed while it reads and writes,
and its end is written only while it still holds the job. An upload whose worker stopped is
queued again once by the worker's sweep (doing it again finishes it), then failed with a clear
message and its file deleted; an import the CLI ran is failed at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import IO, Any

from django.db import connection, transaction

from huddle.accounts import policy
from huddle.accounts.models import Membership, Organization, Role, User
from huddle.accounts.policy import Action, Actor
from huddle.core import jobs
from huddle.core.errors import ValidationFailed
from huddle.core.jobs import LeaseLost
from huddle.core.services import System, event_record
from huddle.usage import formats
from huddle.usage.formats import SNAPSHOT, WEEKLY, Parsed
from huddle.usage.models import ImportStatus, ReportSource, UsageImport, UsageWeek

log = logging.getLogger(__name__)
BATCH = 5_000
UNKNOWN_LISTED = 200  # unknown people named in the report (all are counted)
GENERIC = "Something went wrong while importing this report; the team has the details."

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
    refused file (nothing written; ``record`` says why), ``PermissionDenied``, and
    ``LeaseLost`` when the sweep took ``record`` (a running job claimed by the worker) from
    this process.
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
            **jobs.held_here(UsageImport),
        )
    lease = jobs.Lease(record)

    def progress(stage: str, done: int, total: int) -> None:
        lease.beat()
        if on_progress is not None:
            on_progress(stage, done, total)

    def reading(done: int, total: int) -> None:
        progress("read", done, total)

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
        written = _write(organization, parsed, users, record, progress)
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
    if not _finish(record, ImportStatus.DONE):
        raise LeaseLost(record)
    event_record(
        actor or System(organization),
        "usage.imported",
        record,
        label=record.file_name or source,
        **{k: v for k, v in record.report.items() if k != "unknown"},
    )
    return record


def _finish(record: UsageImport, status: str, *, error: str = "") -> bool:
    """End the import with what it did, unless the sweep took it from this process (False);
    the upload, read, is not kept."""
    fields = {"rows_read": record.rows_read, "weeks_written": record.weeks_written}
    if not jobs.finish(record, status, error=error, report=record.report, **fields):
        return False
    record.job_delete_files()
    return True


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


def _merge(
    kind: str,
    figures: tuple[list[int], list[float], int, int, int],
    stored: tuple[int, list[int], list[float]] | None,
) -> tuple[int, float, int, list[int], list[float]]:
    """(messages, minutes, active-day mask, per-day messages, per-day minutes) of a row: the
    file's, merged with the stored ones (``stored``: mask, per-day lists) by its kind's rule."""
    day_messages, day_minutes, mask, present, total = figures
    if kind == WEEKLY:  # the vendor's figure for the week replaces it
        return total, 0.0, mask, [], []
    if kind == SNAPSHOT:  # last-activity dates only add days
        return 0, 0.0, mask | (stored[0] if stored is not None else 0), [], []
    if stored is not None and len(stored[1]) == 7:
        stored_mask, stored_messages, stored_minutes = stored
        for day in range(7):
            if not present & (1 << day):  # a day this file is silent about: kept
                day_messages[day] = stored_messages[day]
                day_minutes[day] = stored_minutes[day]
                mask |= stored_mask & (1 << day)
    minutes = [round(m, 2) for m in day_minutes]
    return sum(day_messages), round(sum(minutes), 2), mask, day_messages, minutes


COLUMNS = (
    "organization_id", "user_id", "week_start", "tool", "messages", "active_minutes",
    "active_days", "day_mask", "day_messages", "day_minutes", "last_import_id",
)  # fmt: skip
KEY_COLUMNS = COLUMNS[:4]


def _upsert_sql() -> str:
    """One ``INSERT … ON CONFLICT DO UPDATE`` (SQLite ≥ 3.24 and PostgreSQL): the rows go in
    with ``executemany``, no model instance per row (Django's ``bulk_create`` with
    ``update_conflicts`` spent most of a 1M-row import building and preparing them)."""
    q = connection.ops.quote_name
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    values = ", ".join(
        f"%s{json_cast}" if c in ("day_messages", "day_minutes") else "%s" for c in COLUMNS
    )
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in COLUMNS if c not in KEY_COLUMNS)
    # Only the model's own table and column names go into the text: values are parameters.
    return (
        f"INSERT INTO {q(UsageWeek._meta.db_table)} ({', '.join(q(c) for c in COLUMNS)}) "  # noqa: S608
        f"VALUES ({values}) ON CONFLICT ({', '.join(q(c) for c in KEY_COLUMNS)}) "
        f"DO UPDATE SET {updates}"
    )


def _stored(
    organization: Organization, batch: list[tuple[int, date, str, int]]
) -> dict[tuple[int, str, str], tuple[int, list[int], list[float]]]:
    """The stored rows a batch may merge with: {(user id, Monday ISO, tool): (mask, per-day
    messages, per-day minutes)}. Batches are sorted by person, so one read covers a few people
    over the batch's weeks; only these rows are ever held in memory."""
    users = sorted({user_id for user_id, _w, _t, _i in batch})
    first, last = min(w for _u, w, _t, _i in batch), max(w for _u, w, _t, _i in batch)
    rows = UsageWeek.objects.filter(
        organization=organization, user_id__in=users, week_start__gte=first, week_start__lte=last
    ).values_list("user_id", "week_start", "tool", "day_mask", "day_messages", "day_minutes")
    return {
        (user_id, week.isoformat(), tool): (mask, messages, minutes)
        for user_id, week, tool, mask, messages, minutes in rows
    }


def _write(
    organization: Organization,
    parsed: Parsed,
    users: dict[str, int],
    record: UsageImport,
    on_progress: Progress | None,
) -> int:
    """Upsert the matched people's weeks in transactions of ``BATCH`` rows; how many."""
    slots = sorted(
        (users[email], week, tool, i)
        for (email, week, tool), i in parsed.index.items()
        if email in users
    )
    total = len(slots)
    sql = _upsert_sql()
    adapt = connection.ops.adapt_datefield_value
    dumps = json.dumps
    written = 0
    for start in range(0, total, BATCH):
        batch = slots[start : start + BATCH]
        stored = _stored(organization, batch) if parsed.kind != WEEKLY else {}
        params = []
        for user_id, week, tool, i in batch:
            messages, minutes, mask, day_messages, day_minutes = _merge(
                parsed.kind,
                parsed.week_figures(i),
                stored.get((user_id, week.isoformat(), tool)),
            )
            row = (organization.pk, user_id, adapt(week), tool, messages, minutes)
            row += (mask.bit_count(), mask, dumps(day_messages), dumps(day_minutes), record.pk)
            params.append(row)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, params)
        written += len(batch)
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
            jobs.enqueue(record)
    except BaseException:
        record.file.delete(save=False)
        raise
    return record


def upload_run(import_id: int) -> None:
    """The worker's side of ``upload_queue``: claim the queued import and import its stored
    file. Never raises for the file: a refusal or a failure is recorded on the import (the task
    succeeded in telling the admin why)."""
    from django.conf import settings

    if jobs.claim(UsageImport, import_id) is None:
        return  # done, refused, or another worker's
    record = UsageImport.objects.select_related("organization", "created_by").get(pk=import_id)
    membership = Membership.objects.filter(
        organization=record.organization, user=record.created_by
    ).first()
    actor = Actor(membership) if membership is not None else None
    if actor is None or not actor.can(Action.MANAGE_MEMBERS):
        _finish(record, ImportStatus.REFUSED, error="The person who uploaded it is no admin now.")
        return
    try:
        with record.file.open("rb") as stream:
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
    except LeaseLost:  # the sweep has it (queued again or failed)
        log.warning("usage import %s was taken over after its heartbeat stopped", record.pk)
    except Exception:  # a failed import is data the admin sees, not a crash (logged)
        log.exception("usage import %s failed", record.pk)
        _finish(record, ImportStatus.FAILED, error=GENERIC)
