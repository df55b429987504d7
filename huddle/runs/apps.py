from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "huddle.runs"
    label = "runs"
    verbose_name = "Runs"

    def ready(self) -> None:
        from huddle.core import stats
        from huddle.runs.models import Run

        stats.register("runs", lambda org: Run.objects.filter(organization=org).count())

        from huddle.library import panels
        from huddle.runs.queries import workflow_panel

        panels.register("runs/_workflow_panel.html", workflow_panel)
