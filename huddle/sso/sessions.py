"""End every signed-in session of a person at once (``sessions_end``), when provisioning removes
their last membership.

Sessions are recorded per person at sign-in (``SignedInSession``), so ending them needs no scan
of the session store. A session started before that record existed (or by any path that did not
record it) carries no ``TRACKED`` mark: ``UntrackedSessionMiddleware`` looks at it once, at its
next request, signs it out when the person's sessions were ended since (``SessionsEnded``), and
otherwise records it, so that a later ``sessions_end`` ends it too.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# In the session: it is recorded in SignedInSession.
TRACKED = "_huddle_session_tracked"


def _track(session: Any, user_id: int) -> None:
    from huddle.sso.models import SignedInSession

    if session.session_key is None:
        session.save()  # login() cycles the key; make sure the new one exists
    SignedInSession.objects.update_or_create(
        session_key=session.session_key, defaults={"user_id": user_id}
    )
    session[TRACKED] = True


def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None or user is None:
        return
    _track(session, user.pk)


def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from huddle.sso.models import SignedInSession

    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        SignedInSession.objects.filter(session_key=session.session_key).delete()


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="huddle.sso.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="huddle.sso.logged_out")


def sessions_end(user_id: int) -> int:
    """End every session of a person; returns how many recorded ones were deleted. Sessions
    not recorded are signed out at their next request (``UntrackedSessionMiddleware``)."""
    from huddle.sso.models import SessionsEnded, SignedInSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(
        SignedInSession.objects.filter(user_id=user_id).values_list("session_key", flat=True)
    )
    for key in keys:
        store(session_key=key).delete()
    SignedInSession.objects.filter(user_id=user_id).delete()
    SessionsEnded.objects.update_or_create(user_id=user_id, defaults={"at": timezone.now()})
    return len(keys)


class UntrackedSessionMiddleware:
    """Sign out a session that is not recorded when the person's sessions were ended; record
    it otherwise. Costs nothing for recorded sessions (a key in the session) and one lookup
    once for the others. Goes after ``AuthenticationMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and not session.get(TRACKED):
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        from huddle.sso.models import SessionsEnded

        user = request.user
        if not user.is_authenticated:  # a stale or tampered session: auth already ignores it
            return
        if SessionsEnded.objects.filter(user_id=user.pk).exists():
            # Every session that was not recorded predates the ending (new ones are recorded
            # at sign-in): this one should have ended with the others.
            logout(request)
            return
        _track(request.session, user.pk)
