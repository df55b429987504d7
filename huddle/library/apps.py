from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "huddle.library"
    label = "library"
    verbose_name = "Shared library"

    def ready(self) -> None:
        from huddle.core import stats
        from huddle.library.models import Workflow

        stats.register("workflows", lambda org: Workflow.objects.filter(organization=org).count())

        from huddle.context.usage import register_usage_provider
        from huddle.library.queries import context_usages

        register_usage_provider(context_usages)
