"""Turn domain errors raised while serving a page into the page a person should see."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from huddle.core.errors import HuddleError, NotFound, PermissionDenied


class HuddleErrorMiddleware:
    """``NotFound`` → 404 page, ``PermissionDenied`` → 403 page; any other ``HuddleError`` on a
    form post → the message shown on the page it came from, nothing half-done."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404(exception.message)
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message)
        retry_after = getattr(exception, "retry_after", None)
        if isinstance(exception, HuddleError) and retry_after:
            response = render(request, "429.html", {"message": exception.message}, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        if isinstance(exception, HuddleError):
            messages.error(request, exception.message)
            back = request.headers.get("referer", "")
            if not url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                back = request.path
            response = HttpResponseRedirect(back)
            if request.headers.get("HX-Request"):
                # HTMX follows redirects invisibly; ask it to reload so the message shows.
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
            return response
        return None
