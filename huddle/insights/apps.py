from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "huddle.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from huddle.insights import rollup
        from huddle.runs.models import Run

        # A run added, changed or removed in a rolled-up week makes that week stale.
        post_save.connect(rollup.on_run_changed, sender=Run, dispatch_uid="insights-run-save")
        post_delete.connect(rollup.on_run_changed, sender=Run, dispatch_uid="insights-run-del")

        from huddle.insights.nudges import nudge_panel
        from huddle.library import panels

        panels.register("insights/_nudge_panel.html", nudge_panel)

        # Insights reads everything below it: captures made count in member profiles.
        from huddle.capture.insights import captures_per_week
        from huddle.insights import hooks

        hooks.register("captures", captures_per_week)
