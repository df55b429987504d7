"""The console mailer, on standard error.

Django's writes to standard output, which belongs to a command's result: ``huddle runs import
--json`` printed one e-mail per invited member before its JSON, and a script reading the result
got none. Under ``huddle serve`` standard error is where gunicorn's own messages go.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.mail.backends.console import EmailBackend


class ConsoleEmailBackend(EmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Looked up per connection, not at import: tests and callers may swap sys.stderr.
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)
