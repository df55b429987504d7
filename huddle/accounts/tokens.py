"""Random secrets shown once and stored only as SHA-256 hashes (API tokens, invitation links).

The secrets carry 256 bits of randomness, so a fast hash is enough: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import IntegrityError, models, transaction

from huddle.core.errors import HuddleError


def new_secret(kind: str) -> tuple[str, str]:
    """Return ``(raw, prefix)`` for a fresh secret such as ``hud_k4Jd9s...``.

    The prefix (the kind and the first characters) is what a list may show to tell secrets apart.
    """
    body = secrets.token_urlsafe(32)
    raw = f"{kind}_{body}"
    return raw, raw[: len(kind) + 7]


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def stored_secret[M: models.Model](model: type[M], kind: str, **fields: Any) -> tuple[M, str]:
    """Create a ``model`` row holding a fresh secret of ``kind`` (its ``prefix`` and
    ``token_hash``) besides ``fields``; returns the row and the raw secret, to show once."""
    raw, prefix = new_secret(kind)
    try:
        with transaction.atomic():
            row = model._default_manager.create(
                prefix=prefix, token_hash=hash_secret(raw), **fields
            )
    except IntegrityError:  # a 256-bit collision: practically impossible, but never silent
        raise HuddleError("token_collision", "Could not create a token; try again.") from None
    return row, raw
