"""The errors the SSO services raise besides those of ``core.errors``."""

from __future__ import annotations

from huddle.core.errors import HuddleError


class Conflict(HuddleError):
    """A unique value (a user name, an e-mail address) is taken."""

    status = 409

    def __init__(self, message: str) -> None:
        super().__init__("conflict", message)


class SsoRefused(HuddleError):
    """A sign-in by the identity provider that Huddle refuses; ``reason`` names why."""

    status = 403

    def __init__(self, reason: str, message: str) -> None:
        super().__init__("sso_refused", message)
        self.reason = reason
