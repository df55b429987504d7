from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "huddle.capture"
    label = "capture"
    verbose_name = "Captures"

    def ready(self) -> None:
        from huddle.capture.models import Capture
        from huddle.core import stats

        stats.register("captures", lambda org: Capture.objects.filter(organization=org).count())
