"""The one error type of the domain.

Services raise ``HuddleError``; the API renders it as ``{"error": {"code", "message", "fields"}}``,
pages show it as a form error or a message, and the CLI prints the message on one line.
"""

from __future__ import annotations


class HuddleError(Exception):
    """A failure meant for people: a stable ``code``, a readable ``message``, an HTTP status."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.fields = fields or {}

    def as_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class NotFound(HuddleError):
    """Missing, or not yours: the two are indistinguishable on purpose."""

    status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__("not_found", message)


class PermissionDenied(HuddleError):
    """A member of the organisation who lacks the role for this action."""

    status = 403

    def __init__(self, message: str = "You don't have permission to do that.") -> None:
        super().__init__("forbidden", message)


class ValidationFailed(HuddleError):
    status = 422

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__("invalid", message, fields=fields)
