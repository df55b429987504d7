from django.apps import AppConfig


class BrandConfig(AppConfig):
    name = "huddle.brand"
    label = "brand"
    verbose_name = "Brand check"
