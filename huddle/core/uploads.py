"""Stop reading an upload as soon as it passes ``HUDDLE_MAX_UPLOAD_MB``.

Django would otherwise spool a 100 MB body to disk before any view could refuse it. This handler
runs first (``FILE_UPLOAD_HANDLERS``): when the request announces a larger body, or a file grows
past the cap, it marks the request (``request.upload_too_large``, the size in bytes) and stops
the upload without reading the rest. Views and API handlers call ``refuse_if_too_large``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from huddle.core.errors import HuddleError


def max_upload_bytes() -> int:
    return settings.HUDDLE_MAX_UPLOAD_MB * 1024 * 1024


def too_large(size: int, name: str = "The file") -> HuddleError:
    """The 413 error for an upload of ``size`` bytes over the cap."""
    mb = size / (1024 * 1024)
    return HuddleError(
        "upload_too_large",
        f"{name} is {mb:.1f} MB; uploads are limited to {settings.HUDDLE_MAX_UPLOAD_MB} MB.",
        status=413,
        fields={"file": [f"Larger than {settings.HUDDLE_MAX_UPLOAD_MB} MB."]},
    )


# Room for the form's other fields around the file.
_MARGIN = 1024 * 1024


class CappedUploadHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        self.limit = max_upload_bytes()
        self.announced = content_length
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if self.announced > self.limit + _MARGIN or start + len(raw_data) > self.limit:
            if self.request is not None:
                self.request.upload_too_large = max(  # type: ignore[attr-defined]
                    self.announced, start + len(raw_data)
                )
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def refuse_if_too_large(request: HttpRequest) -> None:
    """Raise the 413 ``HuddleError`` when ``CappedUploadHandler`` stopped this request's upload."""
    # Reading FILES makes Django parse the body (and run the handler) if nothing has yet.
    request.FILES  # noqa: B018
    size = getattr(request, "upload_too_large", None)
    if size:
        raise too_large(size, "The upload")
