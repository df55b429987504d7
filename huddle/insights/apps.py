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
        # So does a brand check of one of its runs (on-brand scores are read per week too).
        from huddle.brand.models import RunBrandCheck

        receiver = rollup.on_brand_check_changed
        post_save.connect(receiver, sender=RunBrandCheck, dispatch_uid="insights-brand-save")
        post_delete.connect(receiver, sender=RunBrandCheck, dispatch_uid="insights-brand-del")

        from huddle.insights.nudges import nudge_panel
        from huddle.library import panels

        panels.register("insights/_nudge_panel.html", nudge_panel)
