"""The REST API at ``/api/v1/``: one NinjaAPI, one router per app, one error shape.

Every error is ``{"error": {"code": …, "message": …, "fields": {…}}}``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from huddle.accounts.api import router as accounts_router
from huddle.accounts.auth import TokenAuth
from huddle.brand.api import router as brand_router
from huddle.capture.api import router as captures_router
from huddle.capture.import_api import router as imports_router
from huddle.context.api import router as context_router
from huddle.core.errors import HuddleError
from huddle.core.jsontypes import json_kind, nul_path
from huddle.core.uploads import too_large
from huddle.insights.api import router as insights_router
from huddle.library.api import router as workflows_router
from huddle.rituals.api import asks_router, digests_router, wins_router
from huddle.runs.api import direct_router
from huddle.runs.api import router as runs_router
from huddle.usage.api import router as usage_router

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}


class HuddleAPI(NinjaAPI):
    """Documents what every route can answer besides its success: the one error shape.

    Any route may refuse (401 without a valid token, 404 for what isn't yours, 422 for a bad
    request, 429 when rate-limited …), always as ``{"error": {…}}``; the schema says so with a
    ``default`` response so clients and schemathesis can check error bodies too.
    """

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {
            "description": "Refused: the body says why (`code`, `message`, `fields`).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("default", error)
        return schema


class BodyRefused(ValueError):
    """A JSON request body that is not JSON, or not an object."""


class ObjectBodyParser(Parser):
    """Request bodies are JSON objects. Ninja's schemas read fields off any value (as
    attributes), so without this a list, a number or ``null`` passed as an empty object and, on
    routes whose fields all have defaults, made something empty: ``POST /runs`` with ``[]``
    logged a run of nothing (found by schemathesis' negative-data check)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as error:
            raise BodyRefused(f"The request body is not valid JSON ({error}).") from None
        if not isinstance(data, dict):
            raise BodyRefused(f"The request body must be a JSON object, not {json_kind(data)}.")
        if (where := nul_path(data)) is not None:
            raise BodyRefused(
                f"The request body holds a NUL character (\\u0000) in {where}; "
                "text can't contain it."
            )
        return data


api = HuddleAPI(
    title="Huddle API",
    version="1",
    description="The shared AI workflow library of your team. Authenticate with a personal "
    "token: `Authorization: Bearer hud_…`.",
    auth=TokenAuth(),
    parser=ObjectBodyParser(),
    urls_namespace="api",
    docs_url="/docs",
)


def _error(request: HttpRequest, error: HuddleError) -> HttpResponse:
    response = api.create_response(request, error.as_dict(), status=error.status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(HuddleError)
def on_huddle_error(request: HttpRequest, exc: HuddleError) -> HttpResponse:
    return _error(request, exc)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        HuddleError(
            "unauthenticated",
            "Missing, unknown or revoked API token. Send 'Authorization: Bearer <token>'.",
            status=401,
        ),
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if getattr(request, "upload_too_large", None):
        # The upload was stopped at the size cap, so its fields are missing: say why.
        return _error(request, too_large(request.upload_too_large, "The upload"))  # type: ignore[attr-defined]
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        location = ".".join(str(part) for part in item.get("loc", ()) if part not in {"body"})
        fields.setdefault(location or "request", []).append(item.get("msg", "Invalid."))
    return _error(
        request, HuddleError("invalid", "The request is not valid.", status=422, fields=fields)
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, HuddleError("not_found", "Not found.", status=404))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, BodyRefused):  # ninja wraps the parser's error
        return _error(request, HuddleError("invalid_body", str(exc.__cause__), status=400))
    return _error(request, HuddleError("http_error", str(exc), status=exc.status_code))


api.add_router("/", accounts_router)
api.add_router("/workflows", workflows_router)
api.add_router("/runs", runs_router)
api.add_router("/workflows", direct_router)
api.add_router("/context", context_router)
api.add_router("/captures", captures_router)
api.add_router("/brand", brand_router)
api.add_router("/insights", insights_router)
api.add_router("/wins", wins_router)
api.add_router("/asks", asks_router)
api.add_router("/digests", digests_router)
api.add_router("/imports", imports_router)
api.add_router("/usage", usage_router)
