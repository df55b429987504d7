"""Random secrets shown once and stored only as SHA-256 hashes (API tokens, invitation links).

The secrets carry 256 bits of randomness, so a fast hash is enough: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import secrets


def new_secret(kind: str) -> tuple[str, str]:
    """Return ``(raw, prefix)`` for a fresh secret such as ``hud_k4Jd9s...``.

    The prefix (the kind and the first characters) is what a list may show to tell secrets apart.
    """
    body = secrets.token_urlsafe(32)
    raw = f"{kind}_{body}"
    return raw, raw[: len(kind) + 7]


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
