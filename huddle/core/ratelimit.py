"""Fixed-window rate limits shared by every process (counts live in the database).

``hit(key, limit=…, window=…)`` records one attempt and raises ``RateLimited`` (a 429
``HuddleError`` with ``retry_after`` seconds) once the key is over its limit in the current
window. ``peek`` checks without counting (the login form asks before checking a password).
Limits in use are in ``LIMITS``: login attempts per address and per account, imports, file
uploads, direct runs and provider tests per member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from huddle.core.errors import HuddleError
from huddle.core.models import RateBucket


@dataclass(frozen=True)
class Limit:
    limit: int
    window: int  # seconds


LIMITS = {
    "login_ip": Limit(20, 15 * 60),
    "login_account": Limit(5, 15 * 60),
    "import": Limit(10, 60 * 60),
    "upload": Limit(30, 60 * 60),  # files a member sends to become context (parsed by the worker)
    "mining": Limit(10, 60 * 60),  # "Look again": minutes of the worker for a long history
    "direct_run": Limit(60, 60),
    "provider_test": Limit(10, 60),
    "webhook_retry": Limit(10, 60),
    "password_link": Limit(5, 60 * 60),  # mails per address: a button must not spam an inbox
    # OAuth client registrations per address: open to anyone (connectors register before anyone
    # signs in), so a loop must not fill the table; a real user registers once per assistant.
    "oauth_register": Limit(20, 60 * 60),
}


def client_address(request: HttpRequest) -> str:
    """The client's address, the key of per-address limits. Behind proxies
    (``HUDDLE_BEHIND_PROXY``), the one the outermost trusted proxy appended to
    ``X-Forwarded-For``: the ``HUDDLE_TRUSTED_PROXIES``-th entry from the right. Entries left of
    it are whatever the client sent, so taking the left-most one let anyone rotate past a limit."""
    if settings.HUDDLE_BEHIND_PROXY:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if hops:
            return hops[-min(settings.HUDDLE_TRUSTED_PROXIES, len(hops))][:100]
    return request.META.get("REMOTE_ADDR", "unknown")


class RateLimited(HuddleError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__("rate_limited", message)
        self.retry_after = retry_after


def _window(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def _retry_after(now: datetime, start: datetime, seconds: int) -> int:
    return max(1, int((start + timedelta(seconds=seconds) - now).total_seconds()))


def peek(kind: str, key: str) -> int | None:
    """Seconds to wait if ``key`` is already over the ``kind`` limit, else None."""
    rule = LIMITS[kind]
    now = timezone.now()
    start = _window(now, rule.window)
    hits = (
        RateBucket.objects.filter(key=f"{kind}:{key}", window_start=start)
        .values_list("hits", flat=True)
        .first()
    )
    return (
        _retry_after(now, start, rule.window) if hits is not None and hits >= rule.limit else None
    )


def hit(kind: str, key: str, *, message: str = "Too many attempts; try again later.") -> None:
    """Count one attempt; ``RateLimited`` once over the limit."""
    rule = LIMITS[kind]
    now = timezone.now()
    start = _window(now, rule.window)
    full_key = f"{kind}:{key}"[:200]
    with transaction.atomic():
        updated = RateBucket.objects.filter(key=full_key, window_start=start).update(
            hits=F("hits") + 1
        )
        if not updated:
            try:
                with transaction.atomic():
                    RateBucket.objects.create(key=full_key, window_start=start, hits=1)
            except IntegrityError:  # another process created it first
                RateBucket.objects.filter(key=full_key, window_start=start).update(
                    hits=F("hits") + 1
                )
        hits = RateBucket.objects.get(key=full_key, window_start=start).hits
    if hits > rule.limit:
        raise RateLimited(message, _retry_after(now, start, rule.window))


def clear(kind: str, key: str) -> None:
    RateBucket.objects.filter(key=f"{kind}:{key}").delete()


def prune(older_than: timedelta = timedelta(days=1)) -> int:
    """Drop the buckets of windows that ended long ago (the worker does, every hour); how many."""
    deleted, _ = RateBucket.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted
