"""Usage reports built from the vendors' documented columns (docs/usage.md), as CSV bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, timedelta

CHATGPT_COLUMNS = [
    "cadence", "period_start", "period_end", "account_id", "public_id", "name", "email", "role",
    "user_role", "department", "user_status", "created_or_invited_date", "is_active",
    "first_day_active_in_period", "last_day_active_in_period", "messages", "messages_rank",
    "model_to_messages", "gpt_messages", "gpts_messaged", "tool_messages", "tools_messaged",
    "last_day_active", "project_messages", "projects_messaged",
]  # fmt: skip

CLAUDE_COLUMNS = [
    "date", "user.id", "user.email_address", "chat_metrics.distinct_conversation_count",
    "chat_metrics.message_count", "chat_metrics.distinct_projects_created_count",
    "chat_metrics.distinct_files_uploaded_count", "chat_metrics.distinct_artifacts_created_count",
    "web_search_count",
]  # fmt: skip

COPILOT_COLUMNS = [
    "Report Refresh Date", "User Principal Name", "Display Name", "Last Activity Date",
    "Copilot Chat Last Activity Date", "Microsoft Teams Copilot Last Activity Date",
    "Word Copilot Last Activity Date", "Excel Copilot Last Activity Date",
    "PowerPoint Copilot Last Activity Date", "Outlook Copilot Last Activity Date",
    "OneNote Copilot Last Activity Date", "Loop Copilot Last Activity Date", "Report Period",
]  # fmt: skip

GENERIC_COLUMNS = ["email", "date", "tool", "messages", "active_minutes"]


def to_csv(columns: list[str], rows: Iterable[dict], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue().encode(encoding)


def chatgpt_week(week: date, people: dict[str, int]) -> list[dict]:
    """One weekly row per person: ``people`` = {email: messages that week}."""
    return [
        {
            "cadence": "weekly",
            "period_start": week.isoformat(),
            "period_end": (week + timedelta(days=6)).isoformat(),
            "account_id": "acct-1",
            "public_id": f"user-{i}",
            "name": email.split("@")[0].title(),
            "email": email,
            "role": "standard-user",
            "user_status": "enabled",
            "is_active": 1 if n else 0,
            "first_day_active_in_period": week.isoformat() if n else "",
            "last_day_active_in_period": (week + timedelta(days=3)).isoformat() if n else "",
            "messages": n,
            "model_to_messages": f'{{"gpt-5": {n}}}',
            "gpt_messages": 0,
            "tool_messages": 0,
        }
        for i, (email, n) in enumerate(people.items())
    ]


def claude_days(days: Iterable[date], people: dict[str, int]) -> list[dict]:
    return [
        {
            "date": day.isoformat(),
            "user.id": f"user_{email}",
            "user.email_address": email,
            "chat_metrics.distinct_conversation_count": 1 if n else 0,
            "chat_metrics.message_count": n,
            "web_search_count": 0,
        }
        for day in days
        for email, n in people.items()
    ]


def copilot_snapshot(refreshed: date, people: dict[str, dict[str, date | None]]) -> list[dict]:
    """``people`` = {upn: {"Word": date, "Microsoft Teams": date, …}}; None: no activity."""
    rows = []
    for upn, apps in people.items():
        dates = [d for d in apps.values() if d]
        row = {
            "Report Refresh Date": refreshed.isoformat(),
            "User Principal Name": upn,
            "Display Name": upn.split("@")[0].title(),
            "Last Activity Date": max(dates).isoformat() if dates else "",
            "Report Period": "7",
        }
        for app, day in apps.items():
            column = "Copilot Chat" if app == "Copilot Chat" else f"{app} Copilot"
            row[f"{column} Last Activity Date"] = day.isoformat() if day else ""
        rows.append(row)
    return rows
