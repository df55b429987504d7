from django.apps import AppConfig


class ContextConfig(AppConfig):
    name = "huddle.context"
    label = "context"
    verbose_name = "Context assets"

    def ready(self) -> None:
        from huddle.context.models import ContextAsset, ContextPack
        from huddle.core import stats

        stats.register(
            "context_assets", lambda org: ContextAsset.objects.filter(organization=org).count()
        )
        stats.register(
            "context_packs", lambda org: ContextPack.objects.filter(organization=org).count()
        )
