from django.apps import AppConfig


class BrandConfig(AppConfig):
    name = "huddle.brand"
    label = "brand"
    verbose_name = "Brand check"

    def ready(self) -> None:
        from huddle.brand.services import run_brand_check_record
        from huddle.runs.hooks import register_after_run_completed

        # Every completed run gets its on-brand score, whichever door recorded it.
        register_after_run_completed(
            lambda actor, run: run_brand_check_record(actor=actor, run=run)
        )
