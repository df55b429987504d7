"""Track sign-in sessions per person, so that ``sessions_end`` can end them all at once."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.http import HttpRequest


def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from huddle.sso.models import SignedInSession

    session = getattr(request, "session", None)
    if session is None or user is None:
        return
    if session.session_key is None:
        session.save()  # login() cycles the key; make sure the new one exists
    SignedInSession.objects.update_or_create(
        session_key=session.session_key, defaults={"user": user}
    )


def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from huddle.sso.models import SignedInSession

    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        SignedInSession.objects.filter(session_key=session.session_key).delete()


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="huddle.sso.logged_in")
    user_logged_out.connect(_logged_out, dispatch_uid="huddle.sso.logged_out")


def sessions_end(user_id: int) -> int:
    """End every tracked session of a person; returns how many. The person must sign in again."""
    from huddle.sso.models import SignedInSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(
        SignedInSession.objects.filter(user_id=user_id).values_list("session_key", flat=True)
    )
    for key in keys:
        store(session_key=key).delete()
    SignedInSession.objects.filter(user_id=user_id).delete()
    return len(keys)
