"""Bearer-token authentication for the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from huddle.accounts.services import token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer hud_…``. Sets ``request.actor`` (the member, in the token's org)."""

    openapi_description = "A personal API token, created on the Settings → API tokens page."

    def __init__(self, *, touch: bool = True) -> None:
        """``touch=False``: requests through this never write the token's last-used time."""
        super().__init__()
        self.touch = touch

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        actor = token_authenticate(token, touch=self.touch)
        if actor is not None:
            request.actor = actor  # type: ignore[attr-defined]
        return actor
