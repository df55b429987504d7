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

        from huddle.insights import hooks
        from huddle.rituals import insights as wiring
        from huddle.rituals import spotlight

        hooks.register("asks", wiring.asks_per_week)
        spotlight.register_opt_out(wiring.opted_out)
        spotlight.register_provider(wiring.power_user_spotlight)
