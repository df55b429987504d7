"""Turn domain errors raised while serving a page into the page a person should see."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
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


class NulCharacterMiddleware:
    """Refuse a request whose query string or form fields hold a NUL character (``\\x00``).

    PostgreSQL's text columns refuse NUL, so a page that passed one on to a service answered an
    HTML 500 there (and SQLite stored what the backup and PostgreSQL later choke on). Django's
    form fields already refuse it; this covers the views and API query parameters that read
    ``request.GET``/``request.POST`` directly. JSON bodies are checked by the API's parser.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, *args: object) -> HttpResponse | None:
        data = [request.GET]
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            data.append(request.POST)
        for params in data:
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return _nul_refused(request, key.replace("\x00", "\\u0000"))
        return None


_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _nul_refused(request: HttpRequest, field: str) -> HttpResponse:
    message = f"The field {field!r} holds a NUL character (\\u0000); text can't contain it."
    if request.path.startswith("/api/"):
        error = {"code": "invalid", "message": message, "fields": {field: [message]}}
        return JsonResponse({"error": error}, status=400)
    return render(request, "400.html", {"message": message}, status=400)
