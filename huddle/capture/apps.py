from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "huddle.capture"
    label = "capture"
    verbose_name = "Captures"

    def ready(self) -> None:
        from huddle.capture.models import Capture, Conversation, Pattern, Prompt
        from huddle.core import stats

        stats.register("captures", lambda org: Capture.objects.filter(organization=org).count())
        stats.register(
            "conversations", lambda org: Conversation.objects.filter(organization=org).count()
        )
        stats.register("prompts", lambda org: Prompt.objects.filter(organization=org).count())
        stats.register("patterns", lambda org: Pattern.objects.filter(organization=org).count())
