from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "huddle.capture"
    label = "capture"
    verbose_name = "Captures"

    def ready(self) -> None:
        from huddle.capture.models import Capture, Conversation, Pattern, Prompt
        from huddle.core import stats

        stats.register("captures", lambda org: Capture.objects.filter(organization=org).count())
        # An import still writing is not counted (its rows are hidden until it is done).
        stats.register("conversations", lambda org: Conversation.objects.committed(org).count())
        stats.register("prompts", lambda org: Prompt.objects.committed(org).count())
        stats.register("patterns", lambda org: Pattern.objects.filter(organization=org).count())
