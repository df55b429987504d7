"""Background tasks of the ritual (``django.tasks`` on the ``django-tasks-db`` queue).

- ``deliver_task(delivery_id)``: send one digest delivery (email or webhook).
- ``tick_task()``: run ``schedule.schedule_tick`` and queue the next tick ``TICK_EVERY`` later.
  ``ensure_tick()`` (called when ``huddle worker`` starts) queues a tick unless one is waiting,
  so the chain restarts after a worker was down and never doubles.
"""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from huddle.core.periodic import ensure_queued

TICK_EVERY = timedelta(minutes=5)


@task()
def deliver_task(delivery_id: int) -> str:
    from huddle.rituals.delivery import deliver

    delivery = deliver(delivery_id)
    return delivery.status if delivery is not None else "skipped"


@task()
def tick_task() -> int:
    from huddle.rituals.schedule import schedule_tick

    results = schedule_tick()
    ensure_tick(delay=TICK_EVERY)
    return len(results)


def ensure_tick(delay: timedelta = timedelta(0)) -> bool:
    """Queue a tick unless one is already waiting; True when one was queued."""
    return ensure_queued(tick_task, delay)
