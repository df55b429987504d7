from django.apps import AppConfig


class RitualsConfig(AppConfig):
    name = "huddle.rituals"
    label = "rituals"
    verbose_name = "Rituals"

    def ready(self) -> None:
        from huddle.core import stats
        from huddle.library import panels
        from huddle.rituals.models import Ask, Win
        from huddle.rituals.queries import win_badge_panel

        stats.register("wins", lambda org: Win.objects.filter(organization=org).count())
        stats.register("asks", lambda org: Ask.objects.filter(organization=org).count())
        panels.register("rituals/_win_badge.html", win_badge_panel)

        # Insights sits below rituals: asks reach its phases through its one hook.
        from huddle.insights import hooks
        from huddle.rituals.insights import asks_per_week

        hooks.register("asks", asks_per_week)
