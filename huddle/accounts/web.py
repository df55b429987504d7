"""The page-side door into an organisation: ``@org_view`` resolves ``/o/<slug>/`` through policy."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from huddle.accounts import policy
from huddle.accounts.policy import Action

LAST_ORG_SESSION_KEY = "huddle_last_org"

View = Callable[..., HttpResponse]


def org_view(action: Action = Action.VIEW_ORGANIZATION) -> Callable[[View], View]:
    """Wrap a view taking ``(request, org_slug, ...)``; it is called as ``(request, actor, ...)``.

    Anonymous visitors are sent to log in; non-members get 404 (``NotFound``); members whose
    role is below ``action`` get 403.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = policy.actor_for(request.user, org_slug)
            policy.require(actor, action)
            request.actor = actor  # type: ignore[attr-defined]
            if request.session.get(LAST_ORG_SESSION_KEY) != actor.organization.slug:
                request.session[LAST_ORG_SESSION_KEY] = actor.organization.slug
            return view(request, actor, *args, **kwargs)

        return wrapper

    return decorator
