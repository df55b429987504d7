"""Work a request does once its answer has gone out: bookkeeping the person does not wait for.

A view opens a collection (``collecting``), code beneath it hands work to ``after_answer``, and
the view ties what was collected to its response (``run_after``). The WSGI server sends the
response, then closes it (``HttpResponse.close``): only then does the work run, in the same
thread and database connection, before Django's ``request_finished`` and before the worker takes
its next request. Where no collection is open (the CLI, the stdio MCP server, a test calling a
service) the work runs at once, so every caller gets the same side effects.

A failure there cannot change an answer already sent: it is logged with its traceback
(``huddle.core.afterwards``) and the next piece of work still runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpResponseBase

logger = logging.getLogger(__name__)

Work = Callable[[], object]
_COLLECTED: ContextVar[list[Work] | None] = ContextVar("huddle_after_answer", default=None)


def after_answer(work: Work) -> None:
    """Run ``work`` once the answer being built has been sent, or now when none is."""
    collected = _COLLECTED.get()
    if collected is None:
        work()
    else:
        collected.append(work)


@contextmanager
def collecting() -> Iterator[list[Work]]:
    """Collect the ``after_answer`` work of the code run inside; the list is what was handed."""
    collected: list[Work] = []
    token = _COLLECTED.set(collected)
    try:
        yield collected
    finally:
        _COLLECTED.reset(token)


def run_after(response: HttpResponseBase, collected: list[Work]) -> HttpResponseBase:
    """Have ``response`` run ``collected`` when the server closes it, after sending it."""
    if collected:
        # Django's own hook for what a response must do when closed (FileResponse closes its
        # file there); it swallows errors, so ``_run`` logs them itself.
        response._resource_closers.append(lambda: _run(list(collected)))
    return response


def _run(collected: list[Work]) -> None:
    for work in collected:
        try:
            work()
        except Exception:  # the answer is sent: log it, and go on with the rest
            logger.exception("Work after the answer failed: %r", work)
