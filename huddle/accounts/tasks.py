"""Background task of accounts (``django.tasks``; run by ``huddle worker``).

``oauth_prune_task()`` deletes abandoned OAuth client registrations and expired authorization
codes (``oauth.registrations_prune``) and queues itself again ``OAUTH_PRUNE_EVERY`` later;
``huddle worker`` starts the chain (``ensure_oauth_prune``).
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from huddle.core.periodic import ensure_queued

OAUTH_PRUNE_EVERY = timedelta(hours=1)


@task()
def oauth_prune_task() -> int:
    """Delete abandoned client registrations; how many went."""
    from huddle.accounts.oauth import registrations_prune

    try:
        return registrations_prune()
    finally:
        ensure_oauth_prune(delay=OAUTH_PRUNE_EVERY)


def ensure_oauth_prune(delay: timedelta = timedelta(0)) -> bool:
    """Queue a prune of registrations unless one is already waiting; True when one was queued."""
    return ensure_queued(oauth_prune_task, delay)
