"""Secrets at rest (provider API keys): Fernet with keys from ``HUDDLE_ENCRYPTION_KEY``.

The keys are separate from ``SECRET_KEY`` so that rotating one never makes the other's data
unreadable. ``HUDDLE_ENCRYPTION_KEY`` may list several keys, newest first: new secrets are
encrypted with the first, and any of them decrypts (rotation: put a new key in front, save each
secret again, then drop the old key).

Without the variable:
- with ``HUDDLE_DEBUG=true`` a fixed development key is used, and ``encryption_status()`` says so
  (the providers page shows it): fine on a laptop, worthless as protection;
- in production nothing can be encrypted: ``encrypt`` raises ``EncryptionUnavailable`` whose
  message says how to set the variable. The server still starts, because organisations that
  never configure a provider don't need the key.
"""

from __future__ import annotations

import base64
import hashlib
from enum import StrEnum

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from huddle.core.errors import HuddleError

VARIABLE = "HUDDLE_ENCRYPTION_KEY"
GENERATE_COMMAND = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)
# Derived from a public string on purpose: it protects nothing, and must never be used outside
# debug mode.
_DEV_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"huddle-development-only-key").digest())


class EncryptionStatus(StrEnum):
    CONFIGURED = "configured"
    DEVELOPMENT = "development"
    MISSING = "missing"


class EncryptionUnavailable(HuddleError):
    """No encryption key is configured (production without ``HUDDLE_ENCRYPTION_KEY``)."""

    status = 503

    def __init__(self) -> None:
        super().__init__(
            "encryption_unavailable",
            f"Keys can't be stored until the server operator sets {VARIABLE} (generate one with: "
            f"{GENERATE_COMMAND}) and restarts Huddle.",
        )


class SecretUnreadable(HuddleError):
    """A stored secret can't be decrypted with the configured keys."""

    def __init__(self) -> None:
        super().__init__(
            "secret_unreadable",
            f"The stored key can't be read with the current {VARIABLE} (was it changed?). "
            "Enter the key again.",
        )


def encryption_status() -> EncryptionStatus:
    if settings.HUDDLE_ENCRYPTION_KEYS:
        return EncryptionStatus.CONFIGURED
    if settings.DEBUG:
        return EncryptionStatus.DEVELOPMENT
    return EncryptionStatus.MISSING


def _fernet() -> MultiFernet:
    keys = list(settings.HUDDLE_ENCRYPTION_KEYS)
    if not keys:
        if not settings.DEBUG:
            raise EncryptionUnavailable()
        keys = [_DEV_KEY.decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the newest key; raises ``EncryptionUnavailable``."""
    return _fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt what ``encrypt`` returned; raises ``SecretUnreadable`` or ``EncryptionUnavailable``.

    The error never carries the token or the plaintext.
    """
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable() from None
