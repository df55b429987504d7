"""``make_capture``: a capture created through the service, as a conftest Persona."""

from __future__ import annotations

from typing import Any

from huddle.capture import services
from huddle.capture.models import Capture

TWO_EXAMPLES = {
    "text": "Write a LinkedIn post about our new CRM for CFOs",
    "examples": ["Write a LinkedIn post about our webinar for marketers"],
}


def make_capture(
    persona: Any, *, visibility: str = "private", team: Any = None, **data: Any
) -> Capture:
    fields: dict[str, Any] = {
        "title": "Launch post routine",
        "goal": "Announce things on LinkedIn",
        "tool": "chatgpt",
        "steps": ["Write a LinkedIn post announcing Huddle to marketing leaders."],
        **data,
    }
    return services.capture_create(
        actor=persona.actor,
        data=services.CaptureData.from_data(fields),
        visibility=visibility,
        team=team,
    )
