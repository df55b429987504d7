"""What the server's logs may say about a request: no secret tokens, no anonymous acts.

Links carry secrets in their paths (invitations ``/invite/inv_…/``, anonymous asks' solve links
``/o/<slug>/asks/solve/ask_…/``, password resets ``/accounts/reset/<uid>/<token>/``) and the
pages after them carry those paths in ``Referer`` or ``?next=``. An access log keeping them
would hand whoever reads it working links, and tie a solve link, hence an anonymous ask, to the
address that used it. So:

- ``AccessLogger`` (``huddle serve`` runs gunicorn with it) writes every line through
  ``redact``, and writes no line at all for a request a view marked with ``keep_out``;
- ``RedactSecrets`` does the same for the application's own log lines (Django logs refused
  requests with their path).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.http import HttpRequest
from gunicorn.glogging import Logger

# Set in the WSGI environ, which Django's ``request.META`` is, so the server's logger sees it.
KEEP_OUT = "huddle.keep_out_of_access_log"

_SECRET_PATH = re.compile(r"(/invite/|/asks/solve/|/accounts/reset/)[^\s?#\"']+")
# Our secrets (``new_secret``) wherever they are, e.g. URL-encoded in a ``?next=``.
_SECRET = re.compile(r"\b(inv|ask|hud)_[A-Za-z0-9_-]{16,}")
# Headers whose values are credentials, should a custom log format name them.
_CREDENTIALS = {"{authorization}i", "{cookie}i", "{x-csrftoken}i", "{set-cookie}o"}


def redact(text: str) -> str:
    """``text`` with every secret link segment and token replaced by ``[secret]``."""
    return _SECRET.sub(r"\1_[secret]", _SECRET_PATH.sub(r"\1[secret]", text))


def keep_out(request: HttpRequest) -> None:
    """Ask the server to write no access-log line for ``request`` (an anonymous act: its time
    and address would name the author)."""
    request.META[KEEP_OUT] = True


class AccessLogger(Logger):
    """gunicorn's logger, minus secrets and the requests views keep out."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if environ.get(KEEP_OUT):
            return
        super().access(resp, req, environ, request_time)

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: "-" if key in _CREDENTIALS else redact(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }


class RedactSecrets(logging.Filter):
    """A logging filter that removes secret tokens from a record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
