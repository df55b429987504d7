"""Strict readers for settings that come from the environment.

Each helper refuses a bad value at start-up with an ``ImproperlyConfigured`` error that names the
variable and says what would be accepted, so a typo in a deployment never turns into a silently
insecure or half-working server.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable, or ``default``; raise when it is unset and there is no default."""
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean: true/false, 1/0, yes/no, on/off (any case). Anything else is an error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_fernet_keys(name: str) -> list[str]:
    """Comma-separated Fernet keys (32 url-safe base64 bytes each), newest first; [] when unset.

    A bad key stops start-up; the message names the variable but never echoes the value.
    """
    keys = env_list(name, [])
    for position, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (binascii.Error, UnicodeError, ValueError):
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"{name} key #{position} is not a valid Fernet key (32 url-safe base64 bytes); "
                "generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            )
    return keys


def _statement_options(name: str, options: dict[str, str]) -> dict[str, Any]:
    """Server-side parameter binding with prepared statements, unless the URL says otherwise.

    psycopg prepares a statement on the server once a connection has run it ``prepare_threshold``
    times; PostgreSQL then skips parsing and planning it. The library page runs the same ten
    queries on every view, and planning them was a sixth of the database's work
    (docs/performance.md). Behind a pooler that cannot keep prepared statements (PgBouncer in
    transaction mode before 1.21), add ``?prepare_threshold=none`` to the URL;
    ``?server_side_binding=false`` goes back to psycopg's client-side binding.
    """
    binding = options.get("server_side_binding", "true").lower()
    threshold = options.get("prepare_threshold", "5").lower()
    if binding not in {"true", "false"}:
        raise ImproperlyConfigured(f"{name}: server_side_binding must be true or false.")
    if threshold != "none" and not threshold.isdigit():
        raise ImproperlyConfigured(f"{name}: prepare_threshold must be a number or none.")
    return {
        "server_side_binding": binding == "true",
        "prepare_threshold": None if threshold == "none" else int(threshold),
    }


# WAL and synchronous=NORMAL: readers never wait for the writer, and a commit is one fsync of the
# log. A page cache of 32 MiB per connection (SQLite's default is 2 MiB): the indexes a large
# write touches at random (an import's prompt hashes, 18 MB for a 1 GiB export) stay in memory
# instead of being read back page by page: a 1 GiB import 9.5 -> 8.6 s (16 MiB did as well, 64
# MiB no better), and so does the full-text index of a big library: search p95 18.8 -> 13.3 ms
# at 100k workflows (docs/performance.md). The cache only grows as pages are read.
SQLITE_PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768;"


def env_database(name: str, default: str, *, base_dir: Path) -> dict[str, Any]:
    """Parse ``sqlite:///path`` or ``postgres://user:pass@host:port/db`` into Django's form.

    A relative SQLite path is taken from ``base_dir``. SQLite gets WAL journaling and immediate
    transactions so that a web process and a worker can share the file without "database is
    locked" errors. Both keep a connection for a minute of requests: a new SQLite connection
    reads the schema again and starts with an empty page cache (2 to 4 ms a request at 100k
    workflows, docs/performance.md).
    """
    url = os.environ.get(name) or default
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw_path = unquote(parts.path if not parts.netloc else parts.netloc + parts.path)
        # sqlite:///var/x.db is relative to the project; sqlite:////abs/x.db is absolute.
        path_text = raw_path[1:] if raw_path.startswith("/") else raw_path
        if not path_text:
            raise ImproperlyConfigured(
                f"{name} has no file path: use sqlite:///var/huddle.sqlite3 or sqlite:////abs/path."
            )
        path = Path(path_text)
        if path_text != ":memory:" and not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path) if path_text != ":memory:" else ":memory:",
            "OPTIONS": {
                "init_command": SQLITE_PRAGMAS,
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "CONN_MAX_AGE": 60,
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database or (not parts.hostname and "host" not in parse_qs(parts.query)):
            raise ImproperlyConfigured(
                f"{name} must name a host and a database, e.g. "
                "postgres://user:password@localhost:5432/huddle."
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        options: dict[str, Any] = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        options.update(_statement_options(name, options))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": options.pop("host", parts.hostname or ""),
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"{name} must start with sqlite:/// or postgres://, got {_redact(url)!r}."
    )


def env_email(name: str, default: str) -> dict[str, Any]:
    """Parse an email URL into a Django ``MAILERS`` entry (``{"BACKEND": …, "OPTIONS": …}``).

    ``smtp://user:pass@host:587?tls=true`` (or ``smtps://`` for implicit TLS), ``console://``
    (printed on standard error), ``file:///path/to/dir``, ``locmem://`` and ``dummy://``.
    """
    url = os.environ.get(name) or default
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    simple = {
        "console": "huddle.core.mail.ConsoleEmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple:
        return {"BACKEND": simple[scheme]}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"{name} needs a folder: file:///var/huddle/mail.")
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": unquote(parts.path)},
        }
    if scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(
                f"{name} must name a host, e.g. smtp://mail.example.com:587."
            )
        query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        tls = query.get("tls", "false") in _TRUE
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname,
                "port": port or (465 if scheme == "smtps" else 25),
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_tls": tls and scheme == "smtp",
                "use_ssl": scheme == "smtps",
                "timeout": 10,
            },
        }
    raise ImproperlyConfigured(
        f"{name} must be smtp://, smtps://, console://, file://, locmem:// or dummy://, "
        f"got {_redact(url)!r}."
    )


def _redact(url: str) -> str:
    """Hide a password in a URL before putting it in an error message."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
