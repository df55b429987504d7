"""Claude Team / Enterprise user activity (the Analytics API's per-user daily CSV)."""

from __future__ import annotations

from huddle.usage.formats.common import DAILY, Format
from huddle.usage.models import ReportSource

FORMAT = Format(
    ReportSource.CLAUDE,
    DAILY,
    "Claude user activity",
    required={
        "email": ("user.email_address", "user_email", "email"),
        "date": ("date",),
        "messages": ("chat_metrics.message_count", "message_count"),
    },
)
