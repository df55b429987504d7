from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "huddle.sso"
    label = "sso"
    verbose_name = "Single sign-on and provisioning"

    def ready(self) -> None:
        from huddle.sso import sessions

        sessions.connect()
