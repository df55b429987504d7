"""A fingerprint of the whole database: rows per model and a hash of every column.

A refused request must leave it unchanged. Left out, each for a reason: sessions and their
owners (signing in writes them), the rate-limit counters (they count refused requests on
purpose), ``last_login`` and ``last_used_at`` (a token or login of the *asking* tenant being
used is not a change to the other's data).
"""

from __future__ import annotations

import hashlib

from django.apps import apps

SKIP_MODELS = {"sessions.Session", "sso.SignedInSession", "core.RateBucket"}
SKIP_FIELDS = {"last_login", "last_used_at"}


def snapshot() -> dict[str, tuple[int, str]]:
    result: dict[str, tuple[int, str]] = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in SKIP_MODELS:
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in SKIP_FIELDS]
        rows = model._default_manager.order_by("pk").values_list(*names)
        digest = hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]
        result[label] = (len(rows), digest)
    return result


def changes(before: dict, after: dict) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])
