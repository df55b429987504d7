from django.apps import AppConfig


class UsageConfig(AppConfig):
    name = "huddle.usage"
    label = "usage"
    verbose_name = "Usage reports"
