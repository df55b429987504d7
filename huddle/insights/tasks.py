"""Background task of insights (``django.tasks`` on the ``django-tasks-db`` queue).

``rollup_task()`` brings every organisation's roll-up up to date (``rollup.catch_up``: weeks as
they end, the week in progress once a day, a whole history after an upgrade or a bulk load) and
queues itself again ``ROLLUP_EVERY`` later; ``huddle worker`` starts the chain
(``ensure_rollup``). So the insights page reads a current roll-up and its first view pays only
for the report, not for rolling up runs.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.tasks import task

from huddle.core.periodic import ensure_queued

log = logging.getLogger(__name__)
ROLLUP_EVERY = timedelta(minutes=10)


@task()
def rollup_task() -> int:
    """Catch up every organisation's roll-up; the number of weeks rebuilt."""
    from huddle.accounts.models import Organization
    from huddle.insights import rollup

    rebuilt = 0
    try:
        # A list, not a server-side cursor held open across the roll-ups' transactions.
        for organization in list(Organization.objects.order_by("pk")):
            try:
                rebuilt += rollup.catch_up(organization)
            except Exception:  # one organisation's failure must not stop the others
                log.exception("Rolling up insights of %s failed", organization.slug)
    finally:
        ensure_rollup(delay=ROLLUP_EVERY)
    return rebuilt


def ensure_rollup(delay: timedelta = timedelta(0)) -> bool:
    """Queue a roll-up unless one is already waiting; True when one was queued."""
    return ensure_queued(rollup_task, delay)
