from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huddle.accounts"
    label = "accounts"
    verbose_name = "Organisations and members"

    def ready(self) -> None:
        from huddle.accounts.models import Membership, Team
        from huddle.core import stats

        stats.register("members", lambda org: Membership.objects.filter(organization=org).count())
        stats.register("teams", lambda org: Team.objects.filter(organization=org).count())
